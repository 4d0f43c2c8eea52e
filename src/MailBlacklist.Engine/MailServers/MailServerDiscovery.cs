using System.Net;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist.Engine.MailServers
{
    /// <summary>Which addresses to find.</summary>
    [Flags]
    public enum MailServerRoles { Outbound = 1, Inbound = 2, All = Outbound | Inbound }

    /// <summary>Everything found for one domain: rows to write, and the problems that no row
    /// carries in its Detail (the cmdlet writes those as errors).</summary>
    public sealed class MailServerDiscoveryResult
    {
        internal MailServerDiscoveryResult(string domain) { Domain = domain; }
        public string Domain { get; }
        public List<MailServerAddress> Addresses { get; } = new List<MailServerAddress>();
        /// <summary>All problems found, in order.</summary>
        public List<MailServerProblem> Problems { get; } = new List<MailServerProblem>();
        /// <summary>Problems not shown in any row's Detail: nothing else reports them.</summary>
        public List<MailServerProblem> UnreportedProblems { get; } = new List<MailServerProblem>();
        public SpfEvaluation Spf { get; internal set; }
        public MxResult Mx { get; internal set; }
    }

    /// <summary>Finds the addresses that send (SPF) and receive (MX) mail for a domain, with PTR
    /// and forward confirmation for each single address. Reusable by a diagnosis: Spf and Mx are
    /// kept on the result.</summary>
    public sealed class MailServerDiscovery
    {
        private readonly QueryService _queries;
        private readonly CultureInfo _culture;
        private readonly SpfEvaluator _spf;
        private readonly MxLookup _mx;
        private readonly PtrLookup _ptr;

        public MailServerDiscovery(QueryService queries, CultureInfo culture)
        {
            _queries = queries ?? throw new ArgumentNullException(nameof(queries));
            _culture = culture;
            _spf = new SpfEvaluator(queries, culture);
            _mx = new MxLookup(queries);
            _ptr = new PtrLookup(queries);
        }

        /// <param name="domain">A normalized domain name (see <see cref="DomainName.Normalize"/>).</param>
        public async Task<MailServerDiscoveryResult> DiscoverAsync(string domain, MailServerRoles roles, CancellationToken cancellationToken)
        {
            var result = new MailServerDiscoveryResult(domain);
            (result.Spf, result.Mx) = await LookupRecordsAsync(domain, roles, cancellationToken).ConfigureAwait(false);
            if (DomainMissing(result.Spf, result.Mx))
            {
                // One clear answer for an unknown domain, whatever each query said.
                result.Problems.Add(new MailServerProblem(MailServerProblemCode.DomainNotFound, null, T("MailServer_DomainNotFound", domain)));
                result.UnreportedProblems.AddRange(result.Problems);
                return result;
            }

            var outbound = new List<MailServerAddress>();
            var inbound = new List<MailServerAddress>();
            if (result.Spf != null) AddOutbound(result, outbound);
            if (result.Mx != null) AddInbound(result, inbound);

            var rows = outbound.Concat(inbound).ToList();
            await AddPtrAsync(rows, cancellationToken).ConfigureAwait(false);

            // Role problems go into the Detail of that role's rows; when there are none, they
            // are the only report and the cmdlet writes them as errors.
            foreach (var p in result.Problems)
            {
                var carriers = p.Role == MailServerRole.Outbound ? outbound : p.Role == MailServerRole.Inbound ? inbound : rows;
                if (carriers.Count == 0) { result.UnreportedProblems.Add(p); continue; }
                foreach (var row in carriers) row.Detail = Join(row.Detail, p.Message);
            }
            result.Addresses.AddRange(rows);
            return result;
        }

        /// <summary>The first step: the domain's SPF record evaluated (Outbound) and its MX hosts
        /// resolved (Inbound), at once.</summary>
        public async Task<(SpfEvaluation Spf, MxResult Mx)> LookupRecordsAsync(string domain, MailServerRoles roles, CancellationToken cancellationToken)
        {
            var spfTask = (roles & MailServerRoles.Outbound) != 0 ? _spf.EvaluateAsync(domain, cancellationToken) : Task.FromResult<SpfEvaluation>(null);
            var mxTask = (roles & MailServerRoles.Inbound) != 0 ? _mx.LookupAsync(domain, cancellationToken) : Task.FromResult<MxResult>(null);
            await Task.WhenAll(spfTask, mxTask).ConfigureAwait(false);
            return (spfTask.Result, mxTask.Result);
        }

        /// <summary>Either lookup said the domain does not exist.</summary>
        public static bool DomainMissing(SpfEvaluation spf, MxResult mx) =>
            spf?.Status == SpfRecordStatus.NxDomain || mx?.Status == MxStatus.NxDomain;

        /// <summary>The PTR step for one address: its PTR names and forward confirmation.</summary>
        public Task<PtrResult> LookupPtrAsync(IPAddress address, CancellationToken cancellationToken) => _ptr.LookupAsync(address, cancellationToken);

        /// <summary>The MX step alone (the diagnosis asks whether an address in a bounce is the receiver's).</summary>
        public MxLookup MxLookup => _mx;

        private void AddOutbound(MailServerDiscoveryResult result, List<MailServerAddress> rows)
        {
            var spf = result.Spf;
            result.Problems.AddRange(spf.Problems.Where(p => p.Code != MailServerProblemCode.DomainNotFound));
            var seen = new Dictionary<string, MailServerAddress>(StringComparer.OrdinalIgnoreCase);
            foreach (var (mechanism, network) in spf.AuthorisedNetworks())
            {
                string key = network.Network.IsSingleAddress ? network.Network.Address.ToString() : network.Network.ToString();
                // The chain quotes the SPF record's terms and MX names: DNS text, neutralized.
                string evidence = SafeText.Neutralize(network.Evidence ?? mechanism.Evidence);
                if (seen.TryGetValue(key, out var existing))
                {
                    if (existing.Evidence.IndexOf(evidence, StringComparison.Ordinal) < 0) existing.Evidence += " | " + evidence;
                    continue;
                }
                var row = new MailServerAddress
                {
                    Domain = result.Domain,
                    Role = MailServerRole.Outbound,
                    IPAddress = network.Network.IsSingleAddress ? network.Network.Address.ToString() : string.Empty,
                    Range = network.Network.IsSingleAddress ? string.Empty : network.Network.ToString(),
                    Source = "SPF " + mechanism.Kind,
                    Evidence = evidence,
                };
                seen[key] = row;
                rows.Add(row);
            }
            if (rows.Count == 0 && spf.Status == SpfRecordStatus.Found && spf.Problems.Count == 0)
                result.Problems.Add(new MailServerProblem(MailServerProblemCode.SpfNoAddresses, MailServerRole.Outbound,
                    T("Spf_NoAddresses", result.Domain, spf.Root.Text)));
        }

        private void AddInbound(MailServerDiscoveryResult result, List<MailServerAddress> rows)
        {
            var mx = result.Mx;
            string domain = result.Domain;
            switch (mx.Status)
            {
                case MxStatus.NullMx:
                    result.Problems.Add(Inbound(MailServerProblemCode.NullMx, T("Mx_NullMx", domain)));
                    return;
                case MxStatus.NoMailRecords:
                    result.Problems.Add(Inbound(MailServerProblemCode.NoMailRecords, T("Mx_NoMailRecords", domain)));
                    return;
                case MxStatus.DnsFailure:
                    result.Problems.Add(Inbound(MailServerProblemCode.MxDnsFailure, T("Mx_DnsFailure", domain, SpfEvaluator.DescribeOutcome(mx.Outcome, _culture))));
                    return;
            }
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var host in mx.Hosts)
            {
                if (host.Failure != null)
                    result.Problems.Add(Inbound(MailServerProblemCode.MxDnsFailure, T("Mx_HostDnsFailure", host.Name, SpfEvaluator.DescribeOutcome(host.Failure.Value, _culture))));
                else if (host.Unresolvable)
                    result.Problems.Add(Inbound(MailServerProblemCode.MxHostUnresolvable, T("Mx_HostUnresolvable", domain, host.Name)));
                foreach (var address in host.Addresses)
                {
                    string text = address.ToString();
                    if (!seen.Add(text)) continue;
                    bool v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
                    string type = v6 ? "AAAA" : "A";
                    rows.Add(new MailServerAddress
                    {
                        Domain = domain,
                        Role = MailServerRole.Inbound,
                        IPAddress = text,
                        Source = mx.Status == MxStatus.ImplicitMx ? type + " (implicit MX)" : "MX",
                        Evidence = SafeText.Neutralize(mx.Status == MxStatus.ImplicitMx
                            ? "MX " + domain + " (none) -> " + type + " " + text
                            : "MX " + domain + " -> " + host.Preference.ToString(CultureInfo.InvariantCulture) + " " + host.Name + " -> " + type + " " + text),
                    });
                }
            }
        }

        /// <summary>Fills HostName and ForwardConfirmed (and a failure in Detail) of every row with a
        /// single address, one lookup per distinct address.</summary>
        public async Task AddPtrAsync(IReadOnlyList<MailServerAddress> rows, CancellationToken ct)
        {
            var singles = rows.Where(r => r.IPAddress.Length > 0).Select(r => r.IPAddress).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var lookups = singles.ToDictionary(s => s, s => _ptr.LookupAsync(IPAddress.Parse(s), ct), StringComparer.OrdinalIgnoreCase);
            await Task.WhenAll(lookups.Values).ConfigureAwait(false);
            foreach (var row in rows.Where(r => r.IPAddress.Length > 0))
            {
                var ptr = lookups[row.IPAddress].Result;
                // PTR names are DNS text: neutralized for display (PtrResult keeps them as received).
                row.HostName = SafeText.Neutralize(ptr.HostName);
                row.ForwardConfirmed = ptr.ForwardConfirmed;
                if (ptr.Failure != null)
                    row.Detail = Join(row.Detail, SafeText.Neutralize(T("Ptr_DnsFailure", ptr.FailedName, SpfEvaluator.DescribeOutcome(ptr.Failure.Value, _culture))));
            }
        }

        private static MailServerProblem Inbound(MailServerProblemCode code, string message) => new MailServerProblem(code, MailServerRole.Inbound, message);

        private static string Join(string a, string b) => string.IsNullOrEmpty(a) ? b : a + " " + b;

        private string T(string key, params object[] args) => Messages.Format(key, _culture, args);
    }
}
