using MailBlacklist.Baseline;
using MailBlacklist.Engine.Baseline;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist.Commands
{
    [Cmdlet(VerbsDiagnostic.Test, "Dnsbl", DefaultParameterSetName = IPAddressSet)]
    [OutputType(typeof(DnsblResult))]
    [OutputType(typeof(bool))]
    public sealed class TestDnsblCommand : BlocklistCmdlet<DnsblResult[]>
    {
        private const string IPAddressSet = "IPAddress";
        private const string DomainSet = "Domain";

        [Parameter(ParameterSetName = IPAddressSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("IP")]
        [AllowEmptyString, AllowNull, AllowEmptyCollection]
        public string[] IPAddress { get; set; }

        [Parameter(ParameterSetName = DomainSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString, AllowNull, AllowEmptyCollection]
        public string[] Domain { get; set; }

        /// <summary>Bound from Get-MailServerIp rows that stand for a whole SPF network: those are
        /// reported, not expanded into thousands of lookups.</summary>
        [Parameter(ParameterSetName = IPAddressSet, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString, AllowNull]
        public string Range { get; set; }

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Last run's CSV of this command: fills Change and Since (see Baseline/).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Baseline { get; set; }

        [Parameter]
        public SwitchParameter NoCache { get; set; }

        [Parameter]
        [ValidateRange(0, 10_000_000)]
        public int MaxQueriesPerSecond { get; set; }

        private Catalog _catalog;
        private string _dqsKey;
        private DnsblChecker _ipChecker, _domainChecker, _lastChecker;
        private DirectQueries _direct;
        private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.Ordinal);
        private bool _anyError;
        private DnsblBaseline _baseline;
        private readonly string _now = Change.FormatSince(DateTime.UtcNow);

        protected override void BeginProcessing()
        {
            _catalog = LoadCatalog(CatalogPath);
            _dqsKey = ReadDqsKey(DqsKey);
            OpenQueries(MaxQueriesPerSecond, useSessionCache: !NoCache);
            if (Baseline != null)
                _baseline = BaselineReader.Read(this, Baseline, BaselineKind.TestDnsbl, DnsblBaseline.Load, Culture);
            if (!NoDirect) _direct = OpenDirect(MaxQueriesPerSecond, useSessionCache: !NoCache);

            var publicOnes = ResolverEndpoints.Where(e => _catalog.IsPublicResolver(e.Address)).ToList();
            if (publicOnes.Count > 0)
                WarnOnce("PublicResolver", L("Warning_PublicResolver", string.Join(", ", publicOnes.Select(ServerEndpoint.Format))));
        }

        protected override void ProcessRecord()
        {
            bool domains = ParameterSetName == DomainSet;
            if (!domains && !string.IsNullOrWhiteSpace(Range) && (IPAddress == null || IPAddress.All(string.IsNullOrWhiteSpace)))
            {
                Reject("NetworkRange", ErrorCategory.InvalidArgument, Range, "Error_NetworkRange", Shown(Range));
                return;
            }
            var values = domains ? Domain : IPAddress;
            // An empty array is bad input too, and must say so rather than produce nothing.
            if (values == null || values.Length == 0) values = new string[] { null };
            foreach (string value in values)
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    Reject("EmptyInput", ErrorCategory.InvalidArgument, value, "Error_EmptyInput", domains ? "Domain" : "IPAddress");
                    continue;
                }
                DnsblInput input;
                if (domains)
                {
                    input = DnsblInput.TryParseDomain(value);
                    if (input == null)
                    {
                        bool isAddress = DnsblInput.TryParseAddress(value) != null;
                        Reject(isAddress ? "DomainIsAddress" : "InvalidDomain", ErrorCategory.InvalidArgument, value,
                            isAddress ? "Error_DomainIsAddress" : "Error_InvalidDomain", Shown(value));
                        continue;
                    }
                }
                else
                {
                    input = DnsblInput.TryParseAddress(value);
                    if (input == null)
                    {
                        Reject("InvalidIPAddress", ErrorCategory.InvalidArgument, value, "Error_InvalidIPAddress", Shown(value));
                        continue;
                    }
                }

                var checker = _lastChecker = CheckerFor(domains);
                CountQueries(checker, input);
                Start(input.Text, checker.CheckAsync(input, CancelToken));
            }
        }

        // Every input holds one query per zone.
        protected override double WorkPerInput => _lastChecker?.Zones.Count ?? 1;

        protected override string FailureErrorId => "CheckFailed";

        protected override string ProgressActivityKey => "Progress_Activity";

        protected override string ProgressStatus(long written, long received) =>
            L("Progress_Status", written, received, Queries.QueriesSent / Math.Max(0.001, Elapsed.TotalSeconds));

        protected override void EndProcessing()
        {
            Finish();
            if (Quiet && _anyError) WarnOnce("QuietErrors", L("Warning_QuietErrors"));
            WarnDirect(_direct);
            WriteQueryStatistics();
            Dispose();
        }

        private DnsblChecker CheckerFor(bool domains)
        {
            if (domains ? _domainChecker != null : _ipChecker != null) return domains ? _domainChecker : _ipChecker;
            var kinds = domains ? InputKinds.Domain : InputKinds.IPv4 | InputKinds.IPv6;
            var unmatched = new List<string>();
            var zones = ZoneTarget.Select(_catalog, Zone, kinds, _dqsKey, unmatched);
            ReportUnmatchedZones(unmatched);
            if (zones.Count == 0)
                ThrowConfigurationError("NoZones", ErrorCategory.ObjectNotFound, Zone, "Error_NoZones");
            WriteVerbose(L("Verbose_Zones", string.Join(", ", zones.Select(z => z.Name))));
            var checker = new DnsblChecker(zones, Queries, Culture, _dqsKey) { Direct = _direct };
            if (domains) _domainChecker = checker; else _ipChecker = checker;
            return checker;
        }

        protected override void WriteResult(object input, DnsblResult[] results)
        {
            // When no zone that applies is usable, the resolver is the problem: say it once, not per zone.
            // Counted in a loop: this runs once per input on the pipeline thread.
            int used = 0, unhealthy = 0;
            bool listed = false;
            foreach (var r in results)
            {
                if (r.Status != DnsblStatus.NotApplicable) used++;
                if (r.Status == DnsblStatus.ZoneUnhealthy) unhealthy++;
                listed |= r.Listed;
            }
            if (used > 1 && unhealthy == used)
            {
                var first = results.First(r => r.Status == DnsblStatus.ZoneUnhealthy);
                WarnOnce("AllUnhealthy", L("Warning_AllUnhealthy", first.Resolver));
                foreach (var r in results) if (r.Status == DnsblStatus.ZoneUnhealthy) _warned.Add("Unhealthy " + r.Zone);
            }
            foreach (var r in results) Observe(r);
            if (Quiet)
            {
                WriteObject(listed);
                return;
            }
            if (Baseline != null)
                foreach (var r in results)
                {
                    if (_baseline != null) _baseline.Annotate(r, _now);
                    else DnsblBaseline.StartHistory(r, _now);
                }
            // One call for the input's results: PowerShell enumerates them into the pipe itself,
            // without its per-call checks for each of them.
            WriteObject(results, enumerateCollection: true);
        }

        // Warnings the results call for, once per command each.
        private void Observe(DnsblResult r)
        {
            if (r.Status == DnsblStatus.Error) _anyError = true;
            if (r.Status == DnsblStatus.ZoneUnhealthy) WarnOnce("Unhealthy " + r.Zone, L("Warning_ZoneUnhealthy", r.Zone, r.Detail));
            if (r.Tag.Length > 0 && r.Tag.IndexOf("PublicResolver", StringComparison.OrdinalIgnoreCase) >= 0)
                WarnOnce("PublicResolverRefused", L("Warning_PublicResolverRefused", r.Zone, r.Resolver));
            if (r.Status == DnsblStatus.Error && r.Outcome == DnsOutcome.BrokenResolver)
                WarnOnce("BrokenResolver", L("Warning_BrokenResolver", r.Resolver));
            // A list's own servers that did not answer are in its Detail and the direct-query warning;
            // this one is about the resolver.
            if (r.Status == DnsblStatus.Error && r.Via == DnsblVia.Resolver && (r.Outcome == DnsOutcome.Unreachable || r.Outcome == DnsOutcome.Timeout))
                WarnOnce("NoAnswer", L("Warning_NoAnswer", r.Resolver));
        }

        private void WarnOnce(string key, string message)
        {
            if (_warned.Add(key)) WriteWarning(message);
        }

        private void CountQueries(DnsblChecker checker, DnsblInput input)
        {
            foreach (var zone in checker.Zones)
            {
                long limit = zone.Entry?.FreeQueriesPerDay ?? 0;
                if (limit <= 0 || !zone.Accepts(input.Kind)) continue;
                long today = UsageToday.Add(zone.Name);
                if (today > limit) WarnOnce("Volume " + zone.Name, L("Warning_FreeVolume", zone.Name, limit));
            }
        }
    }
}
