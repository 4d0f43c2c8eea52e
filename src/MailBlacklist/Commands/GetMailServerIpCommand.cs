using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading.Tasks;
using MailBlacklist.Engine;
using MailBlacklist.Engine.Dns;
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
    public sealed class GetMailServerIpCommand : DnsCmdlet
    {
        private const string DomainSet = "Domain";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string BounceSet = "Bounce";

        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [SupportsWildcards]
        public string[] Path { get; set; }

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
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

        private QueryService _queries;
        private MailServerDiscovery _discovery;
        private MailServerRoles _roles;
        // Items are the domain, or the ErrorRecord of an input that was rejected: errors about bad
        // input take their place in input order like results do.
        private readonly OrderedResults<object, MailServerDiscoveryResult> _results = new OrderedResults<object, MailServerDiscoveryResult>();
        private static readonly Task<MailServerDiscoveryResult> NoResult = Task.FromResult<MailServerDiscoveryResult>(null);
        private long _received, _written;

        protected override void BeginProcessing()
        {
            if (ParameterSetName != DomainSet) Role = "All";
            _roles = (MailServerRoles)Enum.Parse(typeof(MailServerRoles), Role, ignoreCase: true);
            _queries = OpenQueries(0, useSessionCache: true);
            _discovery = new MailServerDiscovery(_queries, Culture);
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
                    Reject("EmptyInput", value, "Error_EmptyInput", "Domain");
                    continue;
                }
                if (DnsblInput.TryParseAddress(value) != null)
                {
                    Reject("DomainIsAddress", value, "Error_DomainIsAddress", Shown(value));
                    continue;
                }
                var input = DnsblInput.TryParseDomain(value);
                if (input == null)
                {
                    Reject("InvalidDomain", value, "Error_InvalidDomain", Shown(value));
                    continue;
                }
                _received++;
                _results.Add(input.Text, _discovery.DiscoverAsync(input.Text, _roles, CancelToken));
                Drain(Math.Max(16, ThrottleLimit * 2));
            }
        }

        private readonly MailBlacklist.Engine.Bounces.BounceParser _parser = new MailBlacklist.Engine.Bounces.BounceParser();
        private readonly HashSet<string> _bounceRows = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        private void ProcessBounces()
        {
            if (ParameterSetName == BounceSet)
            {
                // Consecutive recipients of one message make one group, as they do from a file: one
                // row (or one NoAddressInBounce error) per message, not per recipient.
                foreach (var b in InputObject ?? new BounceReason[0])
                {
                    if (b == null) continue;
                    if (_pendingBounces != null && !SameMessage(_pendingBounces[0], b)) FlushBounces();
                    (_pendingBounces = _pendingBounces ?? new List<BounceReason>()).Add(b);
                }
                return;
            }
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string file in BounceFiles.Resolve(this, literal ? LiteralPath : Path, literal, RejectBounce))
            {
                ThrowIfStopping();
                foreach (var group in BounceFiles.Read(_parser, file, Culture, RejectBounce) ?? new List<List<BounceReason>>()) AddBounce(group);
            }
        }

        private List<BounceReason> _pendingBounces;

        private static bool SameMessage(BounceReason a, BounceReason b) =>
            !string.IsNullOrEmpty(a.Path) && string.Equals(a.Path, b.Path, StringComparison.Ordinal) && a.MessageNumber == b.MessageNumber;

        private void FlushBounces()
        {
            if (_pendingBounces == null) return;
            var group = _pendingBounces;
            _pendingBounces = null;
            AddBounce(group);
        }

        /// <summary>One row per message (and address) that shows the sending server's address.</summary>
        private void AddBounce(IEnumerable<BounceReason> group)
        {
            var sender = group.Select(MailBlacklist.Engine.Diagnosis.BounceSender.From).FirstOrDefault(s => s.Address != null);
            var first = group.First();
            if (sender == null)
            {
                string where = first.Path ?? first.Recipient ?? string.Empty;
                RejectBounce("NoAddressInBounce", ErrorCategory.ObjectNotFound, where, "Diagnosis_Error_NoAddressInBounce", Shown(where));
                return;
            }
            if (!_bounceRows.Add((first.Path ?? string.Empty) + "|" + first.MessageNumber + "|" + sender.Address)) return;
            _received++;
            _results.Add(sender.Domain, BounceRowAsync(sender, _discovery, CancelToken));
            Drain(Math.Max(16, ThrottleLimit * 2));
        }

        /// <summary>The bounce's sending address as one row, with the PTR step of domain mode.</summary>
        private static async Task<MailServerDiscoveryResult> BounceRowAsync(MailBlacklist.Engine.Diagnosis.BounceSender sender, MailServerDiscovery discovery,
            System.Threading.CancellationToken cancellationToken)
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

        private void RejectBounce(string errorId, ErrorCategory category, object target, string key, params object[] args)
        {
            var error = new ErrorRecord(new ArgumentException(L(key, args)), errorId, category, target);
            _results.Add(error, NoResult);
            Drain(Math.Max(16, ThrottleLimit * 2));
        }

        private void Reject(string errorId, string value, string key, params object[] args)
        {
            var error = new ErrorRecord(new ArgumentException(L(key, args)), errorId, ErrorCategory.InvalidArgument, value);
            _results.Add(error, NoResult);
            Drain(Math.Max(16, ThrottleLimit * 2));
        }

        protected override void EndProcessing()
        {
            FlushBounces();
            Drain(0);
            if (ProgressShown)
                WriteProgress(new ProgressRecord(2, L("MailServer_Progress_Activity"), L("Progress_Done")) { RecordType = ProgressRecordType.Completed });
            Dispose();
        }

        private void Drain(int maxPending)
        {
            try { _results.Drain(Write, maxPending, Progress, CancelToken); }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            Progress();
        }

        private void Write(object item, Task<MailServerDiscoveryResult> task)
        {
            if (item is ErrorRecord rejected)
            {
                WriteError(rejected);
                return;
            }
            string domain = (string)item ?? string.Empty;
            _written++;
            if (WriteIfCancelled(task, "DiscoveryFailed", domain)) return;
            if (task.IsFaulted)
            {
                // A defect, not a DNS failure (those are problems in the result): report and go on.
                WriteError(new ErrorRecord(task.Exception.GetBaseException(), "DiscoveryFailed", ErrorCategory.NotSpecified, domain));
                return;
            }
            var result = task.Result;
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

        private void Progress()
        {
            if (!ProgressDue()) return;
            int percent = _received == 0 ? 0 : (int)Math.Min(100, _written * 100 / _received);
            WriteProgress(new ProgressRecord(2, L("MailServer_Progress_Activity"), L("MailServer_Progress_Status", _written, _received)) { PercentComplete = percent });
        }

    }
}
