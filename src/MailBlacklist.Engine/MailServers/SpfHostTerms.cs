using System.Net.Sockets;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.MailServers
{
    /// <summary>The a and mx mechanisms of an SPF record resolved to networks: the term's name (or its
    /// MX hosts, at most 10) to A and AAAA, each with the term's CIDR lengths. A failed lookup is a
    /// problem (SpfDnsFailure), never "no address".</summary>
    internal sealed class SpfHostTerms
    {
        private readonly QueryService _queries;
        private readonly CultureInfo _culture;

        public SpfHostTerms(QueryService queries, CultureInfo culture)
        {
            _queries = queries;
            _culture = culture;
        }

        /// <param name="name">The term's target, expanded and normalized.</param>
        public async Task ResolveAsync(SpfMechanism m, string name, SpfLookupState state, CancellationToken ct)
        {
            var hosts = new List<(string Host, string Evidence)>();
            if (m.Kind == "mx")
            {
                var mx = await _queries.QueryAsync(name, DnsRecordType.Mx, ct).ConfigureAwait(false);
                if (!mx.IsDefinite)
                {
                    m.DnsFailed = true;
                    state.Problem(MailServerProblemCode.SpfDnsFailure, T("Spf_DnsFailure", "MX", name, Describe(mx.Outcome)));
                    return;
                }
                if (mx.Outcome != DnsOutcome.Answer) m.VoidNumber = ++state.Voids;
                // RFC 7208 4.6.4: more than 10 MX names is a permerror, not "the first 10".
                if (mx.Records.Count(r => r.Type == DnsRecordType.Mx) > SpfEvaluator.MxHostLimit)
                {
                    m.MxLimitExceeded = true;
                    state.Problem(MailServerProblemCode.SpfLookupLimitExceeded, T("Spf_MxLimit", m.Evidence, mx.Records.Count, SpfEvaluator.MxHostLimit));
                }
                foreach (var r in mx.Records.Where(r => r.Type == DnsRecordType.Mx && r.Data.Length > 0)
                                            .OrderBy(r => r.Preference).ThenBy(r => r.Data, StringComparer.Ordinal).Take(SpfEvaluator.MxHostLimit))
                    hosts.Add((r.Data, m.Evidence + " -> MX " + r.Preference.ToString(CultureInfo.InvariantCulture) + " " + r.Data));
            }
            else hosts.Add((name, m.Evidence));

            var lookups = hosts.Select(h => LookupHostAsync(h.Host, ct)).ToList();
            var results = await Task.WhenAll(lookups).ConfigureAwait(false);
            var networks = new List<SpfNetwork>();
            for (int i = 0; i < hosts.Count; i++)
            {
                foreach (var answer in results[i])
                {
                    if (!answer.IsDefinite)
                    {
                        m.DnsFailed = true;
                        state.Problem(MailServerProblemCode.SpfDnsFailure, T("Spf_DnsFailure", "A/AAAA", hosts[i].Host, Describe(answer.Outcome)));
                        continue;
                    }
                    foreach (var address in answer.Addresses)
                    {
                        int prefix = address.AddressFamily == AddressFamily.InterNetwork ? m.Cidr4 : m.Cidr6;
                        string evidence = hosts[i].Evidence;
                        networks.Add(new SpfNetwork(new IpNetwork(address, prefix), evidence));
                    }
                }
            }
            m.Networks = networks;
            // An a term whose name has neither A nor AAAA is a void lookup.
            if (m.Kind == "a" && results.All(r => r.All(x => x.Outcome == DnsOutcome.NxDomain || x.Outcome == DnsOutcome.NoData)))
                m.VoidNumber = ++state.Voids;
        }

        private async Task<DnsAnswer[]> LookupHostAsync(string host, CancellationToken ct)
        {
            var a = _queries.QueryAsync(host, DnsRecordType.A, ct);
            var aaaa = _queries.QueryAsync(host, DnsRecordType.Aaaa, ct);
            return await Task.WhenAll(a, aaaa).ConfigureAwait(false);
        }

        private string Describe(DnsOutcome outcome) => SpfEvaluator.DescribeOutcome(outcome, _culture);

        private string T(string key, params object[] args) => Messages.Format(key, _culture, args);
    }
}
