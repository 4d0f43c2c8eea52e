using System.Net;
using System.Net.Sockets;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>What a command asks of its resolvers.</summary>
    public sealed class ResolverOptions
    {
        /// <summary>-Server values (host, ip, ip:port, [ipv6]:port); none means the system's resolvers.</summary>
        public string[] Servers { get; set; } = new string[0];
        /// <summary>-TimeoutSec: how long to wait for one server's answer before another try.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
        /// <summary>-Retry: how many more times a server that has not answered gets that long.</summary>
        public int Retries { get; set; } = 1;
        /// <summary>The one default ceiling of queries in flight. The UDP client starts far below
        /// it and widens its window only while the server keeps up, so one default suits a plain
        /// rbldnsd on the next port and a resolver far away: 512 in flight at 50 ms are about
        /// 10,000 queries/s.</summary>
        public const int DefaultMaxInFlight = 512;

        /// <summary>-ThrottleLimit: the most queries on the wire to one server at once.</summary>
        public int MaxInFlight { get; set; } = DefaultMaxInFlight;

        /// <summary>The time one query may wait for one server, retransmissions included: the same
        /// worst case as (1 + Retry) tries of TimeoutSec each. Within it the UDP client resends on
        /// its round-trip timer, so a lost packet costs milliseconds, not a whole TimeoutSec.</summary>
        public TimeSpan PerServerBudget => TimeSpan.FromTicks(Timeout.Ticks * (1 + Math.Max(0, Retries)));
    }

    /// <summary>A -Server value that names no resolver.</summary>
    public sealed class InvalidServerException : ArgumentException
    {
        public InvalidServerException(string server, Exception inner) : base("Not a DNS server: " + server, inner) { Server = server; }
        public string Server { get; }
    }

    /// <summary>The resolvers of one command, to dispose when it ends (it closes their sockets).</summary>
    public sealed class ResolverStack : IDisposable
    {
        private readonly IDisposable _owned;

        internal ResolverStack(IDnsResolver resolver, IReadOnlyList<IPEndPoint> endpoints, IDisposable owned)
        {
            Resolver = resolver;
            Endpoints = endpoints;
            _owned = owned;
        }

        public IDnsResolver Resolver { get; }
        /// <summary>The resolvers asked (the system's when no server was given).</summary>
        public IReadOnlyList<IPEndPoint> Endpoints { get; }

        /// <summary>Per server, what the UDP client learned so far (empty without it).</summary>
        public IReadOnlyList<ServerStatistics> Statistics =>
            (Resolver as UdpDnsResolver)?.Statistics ?? new ServerStatistics[0];

        public void Dispose() => _owned?.Dispose();
    }

    /// <summary>The one front door to DNS: builds a command's resolver stack from -Server, the
    /// timeout, retries and the in-flight ceiling. Every question goes through the module's UDP
    /// client; DnsClient.NET stays behind it for answers too large for UDP (TCP) and finds the
    /// system's resolvers.</summary>
    public static class ResolverFactory
    {
        /// <exception cref="InvalidServerException">A -Server value names no resolver.</exception>
        /// <exception cref="NoSystemResolverException">No -Server and the system names no resolver.</exception>
        public static ResolverStack Create(ResolverOptions options)
        {
            var endpoints = new List<IPEndPoint>();
            foreach (string server in options.Servers ?? new string[0])
            {
                try { endpoints.AddRange(ServerEndpoint.Parse(server)); }
                catch (Exception ex) when (ex is FormatException || ex is SocketException || ex is ArgumentException)
                {
                    throw new InvalidServerException(server, ex);
                }
            }
            // Checked before DnsClient is built: it rejects an empty server list with a bare
            // "Value cannot be null", which would tell the user nothing.
            if (endpoints.Count == 0 && DnsClientResolver.SystemServers().Count == 0) throw new NoSystemResolverException();
            var dnsClient = new DnsClientResolver(endpoints, options.Timeout, options.Retries);
            var udp = new UdpDnsResolver(dnsClient.Servers, options.PerServerBudget, Math.Max(1, options.MaxInFlight), dnsClient);
            return new ResolverStack(udp, dnsClient.Servers, udp);
        }
    }
}
