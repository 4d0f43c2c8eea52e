using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading.Tasks;
using MailBlacklist.Baseline;
using MailBlacklist.Engine.Baseline;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist.Commands
{
    [Cmdlet(VerbsDiagnostic.Test, "Dnsbl", DefaultParameterSetName = IPAddressSet)]
    [OutputType(typeof(DnsblResult))]
    [OutputType(typeof(bool))]
    public sealed class TestDnsblCommand : DnsCmdlet
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
        [ArgumentCompleter(typeof(ZoneCompleter))]
        public string[] Zone { get; set; }

        [Parameter]
        [SecretTransformation]
        public System.Security.SecureString DqsKey { get; set; }

        [Parameter]
        public string CatalogPath { get; set; }

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

        /// <summary>Never ask a list's own name servers, even when it refuses the resolver.</summary>
        [Parameter]
        public SwitchParameter NoDirect { get; set; }

        private Catalog _catalog;
        private QueryService _queries;
        private string _dqsKey;
        private DnsblChecker _ipChecker, _domainChecker;
        private DirectQueries _direct;
        private readonly OrderedResults<string, DnsblResult[]> _results = new OrderedResults<string, DnsblResult[]>();
        private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.Ordinal);
        private long _received, _written;
        private bool _anyError;
        private DnsblBaseline _baseline;
        private readonly string _now = Change.FormatSince(DateTime.UtcNow);

        protected override void BeginProcessing()
        {
            _catalog = LoadCatalog(CatalogPath);
            _dqsKey = ReadDqsKey(DqsKey);
            _queries = OpenQueries(MaxQueriesPerSecond, useSessionCache: !NoCache);
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
                WriteInputError("NetworkRange", ErrorCategory.InvalidArgument, Range, "Error_NetworkRange", Shown(Range));
                return;
            }
            var values = domains ? Domain : IPAddress;
            // An empty array is bad input too, and must say so rather than produce nothing.
            if (values == null || values.Length == 0) values = new string[] { null };
            foreach (string value in values)
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    WriteInputError("EmptyInput", ErrorCategory.InvalidArgument, value, "Error_EmptyInput", domains ? "Domain" : "IPAddress");
                    continue;
                }
                DnsblInput input;
                if (domains)
                {
                    input = DnsblInput.TryParseDomain(value);
                    if (input == null)
                    {
                        bool isAddress = DnsblInput.TryParseAddress(value) != null;
                        WriteInputError(isAddress ? "DomainIsAddress" : "InvalidDomain", ErrorCategory.InvalidArgument, value,
                            isAddress ? "Error_DomainIsAddress" : "Error_InvalidDomain", Shown(value));
                        continue;
                    }
                }
                else
                {
                    input = DnsblInput.TryParseAddress(value);
                    if (input == null)
                    {
                        WriteInputError("InvalidIPAddress", ErrorCategory.InvalidArgument, value, "Error_InvalidIPAddress", Shown(value));
                        continue;
                    }
                }

                var checker = CheckerFor(domains);
                if (checker == null) return;
                _received++;
                CountQueries(checker, input);
                _results.Add(input.Text, checker.CheckAsync(input, CancelToken));
                // Bound memory: never more inputs pending than it takes to keep about four times
                // -ThrottleLimit queries wanted (every pending input holds one task per zone; a
                // bigger window only holds more objects, which costs the collector more than it saves).
                Drain(Math.Max(16, (int)Math.Ceiling(4.0 * ThrottleLimit / Math.Max(1, checker.Zones.Count))));
            }
        }

        protected override void EndProcessing()
        {
            Drain(0);
            if (ProgressShown)
                WriteProgress(new ProgressRecord(1, L("Progress_Activity"), L("Progress_Done")) { RecordType = ProgressRecordType.Completed });
            if (Quiet && _anyError) WarnOnce("QuietErrors", L("Warning_QuietErrors"));
            WarnDirect(_direct);
            WriteVerbose(L("Verbose_Queries", _queries.QueriesSent, _queries.TxtQueriesSent, _queries.CacheHits, Elapsed.TotalSeconds));
            WriteServerStatistics();
            Dispose();
        }

        private DnsblChecker CheckerFor(bool domains)
        {
            if (domains ? _domainChecker != null : _ipChecker != null) return domains ? _domainChecker : _ipChecker;
            var kinds = domains ? InputKinds.Domain : InputKinds.IPv4 | InputKinds.IPv6;
            var unmatched = new List<string>();
            var zones = ZoneTarget.Select(_catalog, Zone, kinds, _dqsKey, unmatched);
            foreach (string z in unmatched)
                WriteError(new ErrorRecord(new ArgumentException(L("Error_ZoneNotFound", Shown(z))), "ZoneNotFound", ErrorCategory.ObjectNotFound, z));
            if (zones.Count == 0)
                ThrowConfigurationError("NoZones", ErrorCategory.ObjectNotFound, Zone, "Error_NoZones");
            WriteVerbose(L("Verbose_Zones", string.Join(", ", zones.Select(z => z.Name))));
            var checker = new DnsblChecker(zones, _queries, Culture, _dqsKey) { Direct = _direct };
            if (domains) _domainChecker = checker; else _ipChecker = checker;
            return checker;
        }

        private void Drain(int maxPending)
        {
            try { _results.Drain(Write, maxPending, Progress, CancelToken); }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            Progress();
        }

        private void Write(string input, Task<DnsblResult[]> task)
        {
            _written++;
            if (WriteIfCancelled(task, "CheckFailed", input)) return;
            if (task.IsFaulted)
            {
                // A defect, not a DNS failure (those are results): say so for this input and go on.
                var ex = task.Exception.GetBaseException();
                WriteError(new ErrorRecord(ex, "CheckFailed", ErrorCategory.NotSpecified, input));
                return;
            }
            var results = task.Result;
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

        private void Progress()
        {
            if (!ProgressDue()) return;
            double rate = _queries.QueriesSent / Math.Max(0.001, Elapsed.TotalSeconds);
            int percent = _received == 0 ? 0 : (int)Math.Min(100, _written * 100 / _received);
            WriteProgress(new ProgressRecord(1, L("Progress_Activity"), L("Progress_Status", _written, _received, rate)) { PercentComplete = percent });
        }

    }

    /// <summary>Queries counted per zone and UTC day across the session, to warn before a list's
    /// published free-use volume is exceeded.</summary>
    internal static class UsageToday
    {
        private static readonly Dictionary<string, long> Counts = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        private static DateTime _day = DateTime.UtcNow.Date;

        public static long Add(string zone)
        {
            lock (Counts)
            {
                if (DateTime.UtcNow.Date != _day) { Counts.Clear(); _day = DateTime.UtcNow.Date; }
                Counts.TryGetValue(zone, out long n);
                Counts[zone] = ++n;
                return n;
            }
        }
    }
}
