using System.Net;
using MailBlacklist.Baseline;
using MailBlacklist.Engine.Baseline;
using MailBlacklist.Engine;
using MailBlacklist.Engine.Bounces;
using MailBlacklist.Engine.Diagnosis;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Commands
{
    /// <summary>From a bounce, a domain or an address to cause, evidence and fix. Each bounce message,
    /// domain or address is one case; cases run concurrently and their findings are written in input
    /// order. Findings that need the whole run (many domains on one listed address) come last.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MailDeliveryDiagnosis", DefaultParameterSetName = "Domain")]
    [OutputType(typeof(DiagnosisFinding))]
    public sealed class InvokeMailDeliveryDiagnosisCommand : BlocklistCmdlet<IReadOnlyList<DiagnosisFinding>>
    {
        // One parameter set per kind of input, each named after its input parameter.
        [Parameter(ParameterSetName = nameof(Path), Mandatory = true, Position = 0), SupportsWildcards]
        public string[] Path { get; set; }

        [Parameter(ParameterSetName = nameof(LiteralPath), Mandatory = true, ValueFromPipelineByPropertyName = true), Alias("PSPath", "LP")]
        public string[] LiteralPath { get; set; }

        /// <summary>Not mandatory: a $null or empty value is input too, and gets EmptyInput.</summary>
        [Parameter(ParameterSetName = nameof(Domain), ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString, AllowNull, AllowEmptyCollection]
        public string[] Domain { get; set; }

        /// <summary>With -Domain, the domain's sending servers; alone, addresses to diagnose.</summary>
        [Parameter(ParameterSetName = nameof(Domain))]
        [Parameter(ParameterSetName = nameof(IPAddress), Mandatory = true)]
        [Alias("IP"), AllowEmptyString, AllowNull, AllowEmptyCollection]
        public string[] IPAddress { get; set; }

        /// <summary>Get-BounceReason objects from the pipeline; recipients of one message form one case.</summary>
        [Parameter(ParameterSetName = nameof(InputObject), Mandatory = true, ValueFromPipeline = true)]
        public BounceReason[] InputObject { get; set; }

        /// <summary>Last run's CSV of this command: fills Change and Since, adds Resolved findings (see Baseline/).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Baseline { get; set; }

        /// <summary>A newer Public Suffix List than the shipped one (for DMARC's organizational domain).</summary>
        [Parameter]
        public string PublicSuffixPath { get; set; }

        private QueryService _queries;
        private MailDeliveryDiagnosis _diagnosis;
        private BounceParser _parser;
        private readonly BounceGroups _groups = new BounceGroups();
        private bool _anyInput, _dnsFailed, _argumentsRead, _anyDomain;
        /// <summary>The parameters given on the command line (bound before BeginProcessing).</summary>
        private HashSet<string> _commandLine;
        private readonly List<IPAddress> _addresses = new List<IPAddress>();
        private DiagnosisBaseline _baseline;
        private readonly string _now = Change.FormatSince(DateTime.UtcNow);
        private DirectQueries _direct;

        protected override void BeginProcessing()
        {
            // Command-line parameters are bound before BeginProcessing, pipeline ones after it.
            _commandLine = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
            var catalog = LoadCatalog(CatalogPath);
            string dqsKey = ReadDqsKey(DqsKey);
            _queries = OpenQueries(0, useSessionCache: true);
            if (!NoDirect) _direct = OpenDirect(0, useSessionCache: true);

            // -Zone names lists of any kind: each checker skips what does not apply (NotApplicable).
            var unmatched = new List<string>();
            var ipZones = ZoneTarget.Select(catalog, Zone, InputKinds.IPv4 | InputKinds.IPv6, dqsKey, unmatched);
            var domainZones = ZoneTarget.Select(catalog, Zone, InputKinds.Domain, dqsKey, null);
            ReportUnmatchedZones(unmatched);
            bool anyZone = Zone != null && Zone.Length > 0;
            var ipUsable = ipZones.Where(z => z.Accepts(InputKinds.IPv4) || z.Accepts(InputKinds.IPv6)).ToList();
            var domainUsable = domainZones.Where(z => z.Accepts(InputKinds.Domain)).ToList();
            if (anyZone && ipUsable.Count == 0 && domainUsable.Count == 0)
                ThrowConfigurationError("NoZones", ErrorCategory.ObjectNotFound, Zone, "Error_NoZones");
            WriteVerbose(L("Verbose_Zones", string.Join(", ", ipUsable.Concat(domainUsable).Select(z => z.Name).Distinct())));
            var ipChecker = ipUsable.Count > 0 ? new DnsblChecker(ipUsable, _queries, Culture, dqsKey) { Direct = _direct } : null;
            var domainChecker = domainUsable.Count > 0 ? new DnsblChecker(domainUsable, _queries, Culture, dqsKey) { Direct = _direct } : null;
            _diagnosis = new MailDeliveryDiagnosis(_queries, ipChecker, domainChecker, Culture, suffixes: LoadPublicSuffixes());
            _parser = new BounceParser();
            if (Baseline != null)
                _baseline = BaselineReader.Read(this, Baseline, BaselineKind.Diagnosis, DiagnosisBaseline.Load, Culture);
        }

        /// <summary>The list -PublicSuffixPath or MAILBLACKLIST_PUBLIC_SUFFIX names, or the shipped one;
        /// one that cannot be read stops the command (DMARC would be judged wrongly without it).</summary>
        private PublicSuffixList LoadPublicSuffixes()
        {
            string path = string.IsNullOrWhiteSpace(PublicSuffixPath) ? PublicSuffixList.DefaultPath() : GetUnresolvedProviderPathFromPSPath(PublicSuffixPath);
            try { return SuffixCache.GetOrAdd(path, p => PublicSuffixList.LoadFile(p)); }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException || ex is System.IO.InvalidDataException || ex is ArgumentException || ex is NotSupportedException)
            {
                ThrowConfigurationError("PublicSuffixLoadFailed", ErrorCategory.ReadError, path, "Error_PublicSuffixLoad", Shown(path), Shown(ex.Message));
                return null;
            }
        }

        // Read once per session and file: about 10,000 rules.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, PublicSuffixList> SuffixCache =
            new System.Collections.Concurrent.ConcurrentDictionary<string, PublicSuffixList>(StringComparer.Ordinal);

        protected override void ProcessRecord()
        {
            // A set's input given on the command line stays bound for every pipeline record and is
            // read once; from the pipeline, it is read per record.
            bool first = !_argumentsRead;
            _argumentsRead = true;
            if (first) ReadAddresses();
            bool fromPipeline = !_commandLine.Contains(ParameterSetName);
            if (ParameterSetName != nameof(InputObject)) FlushBounces();
            if (!first && !fromPipeline) return;
            switch (ParameterSetName)
            {
                case nameof(Path): ReadFiles(Path, literal: false); break;
                case nameof(LiteralPath): ReadFiles(LiteralPath, literal: true); break;
                case nameof(Domain): ReadDomains(fromPipeline); break;
                case nameof(InputObject): ReadBounces(); break;
            }
        }

        /// <summary>Get-BounceReason objects: consecutive recipients of one message make one case.</summary>
        private void ReadBounces()
        {
            foreach (var bounce in InputObject ?? new BounceReason[0])
            {
                _anyInput = true;
                if (bounce == null) { Reject("EmptyInput", ErrorCategory.InvalidArgument, null, "Error_EmptyInput", "InputObject"); continue; }
                _groups.Add(bounce, StartBounces);
            }
        }

        private void ReadAddresses()
        {
            foreach (string value in IPAddress ?? new string[0])
            {
                _anyInput = true;
                var input = string.IsNullOrWhiteSpace(value) ? null : DnsblInput.TryParseAddress(value);
                if (input == null) RejectValue("IPAddress", value, "InvalidIPAddress", "Error_InvalidIPAddress");
                else if (!_addresses.Contains(input.Address)) _addresses.Add(input.Address);
            }
        }

        /// <summary>The -Domain values of the command line or of this pipeline record. A $null record
        /// binds nothing but is still input: it gives one null value, reported as EmptyInput, as does
        /// -Domain $null.</summary>
        private void ReadDomains(bool fromPipeline)
        {
            foreach (string value in Domain ?? (fromPipeline && !MyInvocation.ExpectingInput ? new string[0] : new string[] { null }))
            {
                _anyInput = true;
                bool blank = string.IsNullOrWhiteSpace(value);
                if (!blank && DnsblInput.TryParseAddress(value) != null) { Reject("DomainIsAddress", ErrorCategory.InvalidArgument, value, "Error_DomainIsAddress", Shown(value)); continue; }
                var input = blank ? null : DnsblInput.TryParseDomain(value);
                if (input == null) { RejectValue("Domain", value, "InvalidDomain", "Error_InvalidDomain"); continue; }
                _anyDomain = true;
                // With -IPAddress, the addresses are the domain's sending servers.
                Start(new DiagnosisInput { Label = input.Text, Domain = input.Text, Addresses = _addresses.ToArray() });
            }
        }

        /// <summary>EmptyInput for a blank value, else the given error naming the value.</summary>
        private void RejectValue(string parameter, string value, string errorId, string key)
        {
            if (string.IsNullOrWhiteSpace(value)) Reject("EmptyInput", ErrorCategory.InvalidArgument, value, "Error_EmptyInput", parameter);
            else Reject(errorId, ErrorCategory.InvalidArgument, value, key, Shown(value));
        }

        private void ReadFiles(string[] items, bool literal)
        {
            if (items == null) return;
            _anyInput = true;
            foreach (string file in BounceFiles.Resolve(this, items, literal, Reject))
            {
                ThrowIfStopping();
                var groups = BounceFiles.Read(_parser, file, Culture, Reject);
                if (groups == null) continue;
                // A file name may hold control characters: the label is shown (Input, verbose) neutralized.
                foreach (var g in groups) Start(new DiagnosisInput { Label = SafeText.Neutralize(file), Bounces = g });
            }
        }

        protected override void EndProcessing()
        {
            FlushBounces();
            // Addresses without a domain are cases of their own.
            if (!_anyDomain)
                foreach (var a in _addresses) Start(new DiagnosisInput { Label = a.ToString(), Addresses = new[] { a } });
            Finish();
            if (!_anyInput) ThrowConfigurationError("NoInput", ErrorCategory.InvalidArgument, null, "Diagnosis_Error_NoInput");
            foreach (var f in _diagnosis.RunFindings()) WriteFinding(f);
            if (_baseline != null) foreach (var f in _baseline.Resolved(_now, Culture)) WriteObject(f);
            if (_dnsFailed) WriteWarning(L("Diagnosis_Warning_DnsFailures"));
            WarnDirect(_direct);
            WriteQueryStatistics();
            Dispose();
        }

        private void FlushBounces() => _groups.Flush(StartBounces);

        private void StartBounces(List<BounceReason> group)
        {
            // A pasted text has no file: the recipient names the case (the address it shows may be the receiver's).
            string label = SafeText.Neutralize(!string.IsNullOrEmpty(group[0].Path) ? group[0].Path
                : !string.IsNullOrEmpty(group[0].Recipient) ? group[0].Recipient : (group[0].IPAddress ?? "bounce"));
            Start(new DiagnosisInput { Label = label, Bounces = group });
        }

        private void Start(DiagnosisInput input)
        {
            WriteVerbose(L("Diagnosis_Verbose_Case", Shown(input.Label)));
            Start(input.Label, _diagnosis.DiagnoseAsync(input, CancelToken));
        }

        // A case asks for PTR, SPF, DMARC, MX and the lists: about four queries at a time.
        protected override double WorkPerInput => 4;

        protected override string FailureErrorId => "DiagnosisFailed";

        protected override int ProgressId => 3;

        protected override string ProgressActivityKey => "Diagnosis_Progress_Activity";

        protected override string ProgressStatus(long written, long received) => L("Diagnosis_Progress_Status", written, received);

        protected override void WriteResult(object label, IReadOnlyList<DiagnosisFinding> findings)
        {
            _baseline?.Diagnosed(label as string);
            foreach (var f in findings)
            {
                if (f.CauseCode == CauseCodes.DnsFailure) _dnsFailed = true;
                WriteFinding(f);
            }
        }

        private void WriteFinding(DiagnosisFinding f)
        {
            if (_baseline != null) _baseline.Annotate(f, _now);
            else if (Baseline != null) f.Since = _now;
            WriteObject(f);
        }
    }
}
