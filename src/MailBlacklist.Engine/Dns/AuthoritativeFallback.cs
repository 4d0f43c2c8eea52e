using System.Collections.Concurrent;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>How one zone is asked directly: through its own name servers, or why it cannot be.</summary>
    public sealed class DirectRoute
    {
        /// <summary>Queries to the zone's own servers; null when they could not be found.</summary>
        public QueryService Queries { get; internal set; }
        /// <summary>The zone cut whose servers are asked.</summary>
        public string Zone { get; internal set; }
        /// <summary>The servers asked, as host:port.</summary>
        public IReadOnlyList<string> Servers { get; internal set; } = new string[0];
        /// <summary>The resolver's answer that left no server to ask (NS or address lookup failed).</summary>
        public DnsAnswer Failure { get; internal set; }
    }

    /// <summary>For one command: the zones whose own name servers are asked because the configured
    /// resolver is refused. Each zone's servers are looked up once, through the configured resolver,
    /// and get their own UDP clients with the command's timeout, retries and in-flight ceiling.</summary>
    public sealed class AuthoritativeFallback : IDisposable
    {
        private readonly QueryService _resolver;
        private readonly ResolverOptions _options;
        private readonly int _maxPerSecond;
        private readonly AnswerCache _sessionCache;
        private readonly ConcurrentDictionary<string, Lazy<Task<DirectRoute>>> _routes =
            new ConcurrentDictionary<string, Lazy<Task<DirectRoute>>>(StringComparer.OrdinalIgnoreCase);
        private readonly List<IDisposable> _owned = new List<IDisposable>();
        private bool _disposed;

        /// <param name="resolver">The configured resolver's queries, for the NS and address lookups.</param>
        /// <param name="options">Timeout, retries and in-flight ceiling, as for the configured resolver.</param>
        /// <param name="maxPerSecond">-MaxQueriesPerSecond for each zone's servers (0: none).</param>
        public AuthoritativeFallback(QueryService resolver, ResolverOptions options, int maxPerSecond, AnswerCache sessionCache)
        {
            _resolver = resolver;
            _options = options;
            _maxPerSecond = maxPerSecond;
            _sessionCache = sessionCache;
        }

        /// <summary>The zone's route, found on the first call and shared by every later one.</summary>
        public Task<DirectRoute> RouteAsync(string zone, CancellationToken cancellationToken) =>
            _routes.GetOrAdd(zone, z => new Lazy<Task<DirectRoute>>(() => FindAsync(z, cancellationToken))).Value;

        private async Task<DirectRoute> FindAsync(string zone, CancellationToken cancellationToken)
        {
            var set = await NameServerSet.FindAsync(_resolver, zone, cancellationToken).ConfigureAwait(false);
            if (set.Failure != null) return new DirectRoute { Zone = set.Zone ?? zone, Failure = set.Failure };
            var resolver = new AuthoritativeResolver(set.Zone, set.Servers, _options);
            lock (_owned)
            {
                if (_disposed) { resolver.Dispose(); throw new OperationCanceledException(cancellationToken); }
                _owned.Add(resolver);
            }
            return new DirectRoute
            {
                Zone = set.Zone,
                Servers = resolver.Servers,
                Queries = new QueryService(resolver, _options.MaxInFlight, _maxPerSecond, _sessionCache),
            };
        }

        public void Dispose()
        {
            lock (_owned)
            {
                _disposed = true;
                foreach (var d in _owned) d.Dispose();
                _owned.Clear();
            }
        }
    }
}
