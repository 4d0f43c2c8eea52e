using System.Net;
using System.Net.Sockets;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>A zone's own name servers, found through the configured resolver (lists that refuse
    /// a resolver's list questions still let it look up their NS and address records).</summary>
    internal sealed class NameServerSet
    {
        /// <summary>More servers than this add nothing but waiting when the first ones fail.</summary>
        private const int MaxServers = 8;

        /// <summary>The zone cut: the list's own name, or the nearest parent that has NS records
        /// (a list need not be a zone of its own, as bl.spamcop.net is not).</summary>
        public string Zone { get; private set; }
        public IReadOnlyList<IPEndPoint> Servers { get; private set; } = new IPEndPoint[0];
        /// <summary>Why none was found: the resolver's answer that stopped the search.</summary>
        public DnsAnswer Failure { get; private set; }

        public static async Task<NameServerSet> FindAsync(QueryService resolver, string zone, CancellationToken cancellationToken)
        {
            var result = new NameServerSet();
            string name = zone.TrimEnd('.').ToLowerInvariant();
            DnsAnswer ns = null;
            // Up to the registered domain at most: a TLD's servers hold no list data.
            while (name.IndexOf('.') > 0)
            {
                ns = await resolver.QueryAsync(name, DnsRecordType.Ns, cancellationToken).ConfigureAwait(false);
                if (ns.Outcome != DnsOutcome.NoData) break;
                name = name.Substring(name.IndexOf('.') + 1);
            }
            if (ns == null || ns.Outcome != DnsOutcome.Answer)
            {
                result.Failure = ns ?? DnsAnswer.Failed(DnsOutcome.NoData, TimeSpan.Zero, resolver.Resolver.Description);
                return result;
            }
            result.Zone = name;

            // Sorted, so that one command asks the same servers in the same order every time.
            var hosts = ns.Records.Select(r => r.Data.TrimEnd('.').ToLowerInvariant()).Distinct().OrderBy(h => h, StringComparer.Ordinal).ToList();
            var lookups = hosts.Select(h => (v4: resolver.QueryAsync(h, DnsRecordType.A, cancellationToken),
                                             v6: resolver.QueryAsync(h, DnsRecordType.Aaaa, cancellationToken))).ToList();
            var v4 = new List<IPEndPoint>();
            var v6 = new List<IPEndPoint>();
            DnsAnswer lastFailure = null;
            foreach (var l in lookups)
            {
                var a = await l.v4.ConfigureAwait(false);
                var aaaa = await l.v6.ConfigureAwait(false);
                foreach (var ip in a.Addresses) v4.Add(new IPEndPoint(ip, ServerEndpoint.DefaultPort));
                foreach (var ip in aaaa.Addresses) v6.Add(new IPEndPoint(ip, ServerEndpoint.DefaultPort));
                if (!a.IsDefinite) lastFailure = a;
            }
            // IPv4 first: many networks have no IPv6 route, and an unreachable server costs time.
            result.Servers = v4.Concat(v6.Where(e => Socket.OSSupportsIPv6))
                .GroupBy(e => e.ToString()).Select(g => g.First()).Take(MaxServers).ToArray();
            if (result.Servers.Count == 0)
                result.Failure = lastFailure ?? DnsAnswer.Failed(DnsOutcome.NoData, TimeSpan.Zero, resolver.Resolver.Description);
            return result;
        }
    }
}
