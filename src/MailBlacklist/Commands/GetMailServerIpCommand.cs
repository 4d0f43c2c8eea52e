using MailBlacklist.Engine;
using MailBlacklist.Engine.Dnsbl;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Commands
{
    /// <summary>Finds the addresses that send (SPF) and receive (MX) mail for domains. Domains are
    /// worked on concurrently; results are written in input order.</summary>
    /// <remarks>Bounce mode (-Path, -LiteralPath, Get-BounceReason objects): one Outbound row per
    /// message that shows the sending address, with Source "Bounce text" or "Received header"
    /// (<see cref="MailBlacklist.Engine.Diagnosis.BounceSender"/>) and the PTR check.</remarks>
    [Cmdlet(VerbsCommon.Get, "MailServerIp", DefaultParameterSetName = DomainSet)]
    [OutputType(typeof(MailServerAddress))]
    public sealed class GetMailServerIpCommand : DnsCmdlet<MailServerDiscoveryResult>
    {
        private const string DomainSet = "Domain";
        private const string BounceSet = "Bounce";

        [Parameter(ParameterSetName = BounceFiles.PathSet, Mandatory = true)]
        [SupportsWildcards]
        public string[] Path { get; set; }

        [Parameter(ParameterSetName = BounceFiles.LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        public string[] LiteralPath { get; set; }

        [Parameter(ParameterSetName = BounceSet, Mandatory = true, ValueFromPipeline = true)]
        public BounceReason[] InputObject { get; set; }

        [Parameter(ParameterSetName = DomainSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString, AllowNull, AllowEmptyCollection]
        public string[] Domain { get; set; }

        [Parameter]
        [ValidateSet("All", "Outbound", "Inbound", IgnoreCase = true)]
        public string Role { get; set; } = "All";

        private MailServerDiscovery _discovery;
        private MailServerRoles _roles;

        protected override void BeginProcessing()
        {
            if (ParameterSetName != DomainSet) Role = "All";
            _roles = (MailServerRoles)Enum.Parse(typeof(MailServerRoles), Role, ignoreCase: true);
            _discovery = new MailServerDiscovery(OpenQueries(0, useSessionCache: true), Culture);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != DomainSet)
            {
                ProcessBounces();
                return;
            }
            foreach (string value in Domain ?? new string[] { null })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    Reject("EmptyInput", ErrorCategory.InvalidArgument, value, "Error_EmptyInput", "Domain");
                    continue;
                }
                if (DnsblInput.TryParseAddress(value) != null)
                {
                    Reject("DomainIsAddress", ErrorCategory.InvalidArgument, value, "Error_DomainIsAddress", Shown(value));
                    continue;
                }
                var input = DnsblInput.TryParseDomain(value);
                if (input == null)
                {
                    Reject("InvalidDomain", ErrorCategory.InvalidArgument, value, "Error_InvalidDomain", Shown(value));
                    continue;
                }
                Start(input.Text, _discovery.DiscoverAsync(input.Text, _roles, CancelToken));
            }
        }

        private readonly MailBlacklist.Engine.Bounces.BounceParser _parser = new MailBlacklist.Engine.Bounces.BounceParser();
        private readonly HashSet<string> _bounceRows = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly BounceGroups _groups = new BounceGroups();

        private void ProcessBounces()
        {
            if (ParameterSetName == BounceSet)
            {
                // Consecutive recipients of one message make one group, as they do from a file: one
                // row (or one NoAddressInBounce error) per message, not per recipient.
                foreach (var b in InputObject ?? new BounceReason[0])
                    if (b != null) _groups.Add(b, AddBounce);
                return;
            }
            bool literal = ParameterSetName == BounceFiles.LiteralPathSet;
            foreach (string file in BounceFiles.Resolve(this, literal ? LiteralPath : Path, literal, Reject))
            {
                ThrowIfStopping();
                foreach (var group in BounceFiles.Read(_parser, file, Culture, Reject) ?? new List<List<BounceReason>>()) AddBounce(group);
            }
        }

        /// <summary>One row per message (and address) that shows the sending server's address.</summary>
        private void AddBounce(IEnumerable<BounceReason> group)
        {
            var sender = group.Select(MailBlacklist.Engine.Diagnosis.BounceSender.From).FirstOrDefault(s => s.Address != null);
            var first = group.First();
            if (sender == null)
            {
                string where = first.Path ?? first.Recipient ?? string.Empty;
                Reject("NoAddressInBounce", ErrorCategory.ObjectNotFound, where, "Diagnosis_Error_NoAddressInBounce", Shown(where));
                return;
            }
            if (!_bounceRows.Add((first.Path ?? string.Empty) + "|" + first.MessageNumber + "|" + sender.Address)) return;
            Start(sender.Domain, BounceRowAsync(sender, _discovery, CancelToken));
        }

        /// <summary>The bounce's sending address as one row, with the PTR step of domain mode.</summary>
        private static async Task<MailServerDiscoveryResult> BounceRowAsync(MailBlacklist.Engine.Diagnosis.BounceSender sender, MailServerDiscovery discovery,
            CancellationToken cancellationToken)
        {
            var result = new MailServerDiscoveryResult(sender.Domain);
            result.Addresses.Add(new MailServerAddress
            {
                Domain = sender.Domain,
                IPAddress = sender.Address.ToString(),
                Role = MailServerRole.Outbound,
                Source = sender.Source,
                Evidence = sender.Evidence,
            });
            await discovery.AddPtrAsync(result.Addresses, cancellationToken).ConfigureAwait(false);
            return result;
        }

        protected override void EndProcessing()
        {
            _groups.Flush(AddBounce);
            Finish();
            WriteQueryStatistics();
            Dispose();
        }

        // A domain's SPF and MX lookups, about two queries at a time.
        protected override double WorkPerInput => 2;

        protected override string FailureErrorId => "DiscoveryFailed";

        protected override int ProgressId => 2;

        protected override string ProgressActivityKey => "MailServer_Progress_Activity";

        protected override string ProgressStatus(long written, long received) => L("MailServer_Progress_Status", written, received);

        protected override void WriteResult(object input, MailServerDiscoveryResult result)
        {
            string domain = (string)input;
            foreach (var row in result.Addresses) WriteObject(row);
            foreach (var problem in result.UnreportedProblems)
                WriteError(new ErrorRecord(new InvalidOperationException(problem.Message), problem.Code.ToString(), CategoryOf(problem.Code), domain));
        }

        private static ErrorCategory CategoryOf(MailServerProblemCode code)
        {
            switch (code)
            {
                case MailServerProblemCode.SpfDnsFailure:
                case MailServerProblemCode.MxDnsFailure:
                    return ErrorCategory.ResourceUnavailable;
                case MailServerProblemCode.SpfMultipleRecords:
                case MailServerProblemCode.SpfSyntaxError:
                case MailServerProblemCode.SpfLookupLimitExceeded:
                case MailServerProblemCode.SpfVoidLookupLimitExceeded:
                case MailServerProblemCode.SpfLoop:
                case MailServerProblemCode.SpfIncludeNotFound:
                    return ErrorCategory.InvalidData;
                case MailServerProblemCode.SpfUnresolvableMechanism:
                    return ErrorCategory.NotImplemented;
                default:
                    return ErrorCategory.ObjectNotFound;
            }
        }
    }
}
