using System.Net;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>Asks a zone's own name servers, without recursion, for names in that zone: the way
    /// round a resolver that a list refuses. Each server has its own UDP client (congestion window,
    /// retransmission, random ports, question and ID checks on a socket connected to that server)
    /// and TCP when an answer comes back truncated. An answer counts only when the server says it
    /// is the zone's (AA bit); a server that does not (lame: REFUSED, a referral, a cached answer)
    /// or does not answer makes way for the next, and is asked last from then on.</summary>
    internal sealed class AuthoritativeResolver : ISelfPacedResolver, IDisposable
    {
        /// <summary>Response-code text of an answer refused for lack of the AA bit.</summary>
        public const string NotAuthoritative = "AA=0";

        private sealed class Server
        {
            public string Name;
            public UdpDnsResolver Udp;
            /// <summary>Lame or silent last time: asked after the others.</summary>
            public volatile bool Demoted;
        }

        private readonly string _zone;
        private readonly Server[] _servers;

        /// <param name="zone">The zone cut whose servers these are; names outside it are not asked.</param>
        /// <param name="servers">The zone's name servers (port 53), in the order to try them.</param>
        public AuthoritativeResolver(string zone, IReadOnlyList<IPEndPoint> servers, ResolverOptions options)
        {
            if (servers == null || servers.Count == 0) throw new ArgumentException("At least one server is needed.", nameof(servers));
            _zone = zone.TrimEnd('.').ToLowerInvariant();
            var budget = options.PerServerBudget;
            _servers = servers.Select(s => new Server
            {
                Name = ServerEndpoint.Format(s),
                Udp = new UdpDnsResolver(new[] { s }, budget, Math.Max(1, options.MaxInFlight),
                    new TcpDnsResolver(s, budget, recursionDesired: false), recursionDesired: false),
            }).ToArray();
            Description = string.Join(", ", _servers.Select(s => s.Name));
            CacheKey = "authoritative " + _zone + " " + Description;
        }

        public string Description { get; }
        public string CacheKey { get; }
        public string Zone => _zone;
        public IReadOnlyList<string> Servers => _servers.Select(s => s.Name).ToArray();

        public async Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            // Only this zone's questions: its servers owe no answer for anything else (the root
            // probe of QueryService among them), and a refusal there must not mark them lame.
            if (!IsAtOrBelow(name, _zone)) return DnsAnswer.Failed(DnsOutcome.OtherError, TimeSpan.Zero, Description);
            var attempts = new List<DnsAnswer>(_servers.Length);
            foreach (var server in _servers.Where(s => !s.Demoted).Concat(_servers.Where(s => s.Demoted)))
            {
                var answer = await server.Udp.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
                if (answer.IsDefinite && answer.Authoritative)
                {
                    server.Demoted = false;
                    return answer;
                }
                if (answer.IsDefinite)
                    answer = new DnsAnswer(DnsOutcome.OtherError, null, 0, answer.Elapsed, server.Name, answer.ResponseCode + ", " + NotAuthoritative);
                // SERVFAIL may pass; REFUSED, no AA, no answer: the next server first from now on.
                if (answer.Outcome != DnsOutcome.ServerFailure) server.Demoted = true;
                attempts.Add(answer);
            }
            return Combine(attempts);
        }

        private static bool IsAtOrBelow(string name, string zone)
        {
            string n = (name ?? string.Empty).TrimEnd('.');
            return n.Equals(zone, StringComparison.OrdinalIgnoreCase)
                || n.EndsWith("." + zone, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>No server answered: the outcome that says most (no answer at all before an
        /// error answer), every server named, and each one's own answer kept.</summary>
        private DnsAnswer Combine(List<DnsAnswer> attempts)
        {
            var outcome = attempts.Any(a => a.Outcome == DnsOutcome.Timeout) ? DnsOutcome.Timeout
                : attempts.All(a => a.Outcome == DnsOutcome.Unreachable) ? DnsOutcome.Unreachable
                : attempts[attempts.Count - 1].Outcome;
            var elapsed = TimeSpan.FromTicks(attempts.Sum(a => a.Elapsed.Ticks));
            return new DnsAnswer(outcome, null, 0, elapsed, Description, attempts[attempts.Count - 1].ResponseCode) { Attempts = attempts };
        }

        public void Dispose()
        {
            foreach (var s in _servers) s.Udp.Dispose();
        }
    }
}
