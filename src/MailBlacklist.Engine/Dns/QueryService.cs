using System.Collections.Concurrent;
using System.Diagnostics;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>Everything between a question and the wire, for one command: a bound on queries in
    /// flight, an optional rate cap, one query for duplicate questions (in flight or answered
    /// earlier in the command), and the session cache.</summary>
    public sealed class QueryService : IDisposable
    {
        private readonly IDnsResolver _resolver;
        /// <summary>Null for a resolver that paces itself.</summary>
        private readonly SemaphoreSlim _slots;
        // One copy of each answer: in the session cache when there is one, else in the command's.
        // The command's also keeps what the session's may not (TTL 0), so a command still asks
        // each question once. Two copies of every answer cost a 100,000 x 20 scan about 40 MB of
        // peak memory and much of its time in the collector, for no extra hit.
        private readonly AnswerCache _commandCache = new AnswerCache(50_000, honourTtl: false);
        private readonly AnswerCache _sessionCache;
        // Questions on their way, so that a duplicate waits for the same answer. The first asker
        // adds a TaskCompletionSource and sends; a lambda with a Lazy cost five objects a query.
        private readonly ConcurrentDictionary<string, TaskCompletionSource<DnsAnswer>> _inFlight =
            new ConcurrentDictionary<string, TaskCompletionSource<DnsAnswer>>(StringComparer.Ordinal);
        private readonly double _ticksPerQuery;
        private readonly object _rateLock = new object();
        private long _nextSlot;
        private long _sent, _sentTxt, _cacheHits;
        private static long _outstanding;

        /// <summary>Queries of every command in this process that have not finished (waiting for a
        /// slot, for the rate cap or for the answer). Zero once every command has ended or been
        /// stopped: no work outlives its command.</summary>
        public static long Outstanding => Interlocked.Read(ref _outstanding);

        /// <param name="maxInFlight">Queries on the wire at once.</param>
        /// <param name="maxPerSecond">0 for no cap.</param>
        /// <param name="sessionCache">Null to ignore answers from earlier commands.</param>
        public QueryService(IDnsResolver resolver, int maxInFlight, int maxPerSecond, AnswerCache sessionCache)
        {
            _resolver = resolver;
            // The UDP client's windows (ceiling maxInFlight per server) already bound what is on
            // the wire. A second gate here would make nearly every query of a big scan wait for a
            // slot, and each release of a waiting query costs a thread-pool hop.
            if (!(resolver is ISelfPacedResolver)) _slots = new SemaphoreSlim(Math.Max(1, maxInFlight));
            _sessionCache = sessionCache;
            _ticksPerQuery = maxPerSecond > 0 ? (double)Stopwatch.Frequency / maxPerSecond : 0;
        }

        public IDnsResolver Resolver => _resolver;

        /// <summary>Queries actually sent (cache hits and shared duplicates not counted).</summary>
        public long QueriesSent => Interlocked.Read(ref _sent);

        /// <summary>TXT queries among <see cref="QueriesSent"/>.</summary>
        public long TxtQueriesSent => Interlocked.Read(ref _sentTxt);

        /// <summary>Questions answered from the command's or the session's cache.</summary>
        public long CacheHits => Interlocked.Read(ref _cacheHits);

        private readonly string[] _keyPrefixes = new string[256];

        private string KeyPrefix(DnsRecordType type)
        {
            int t = (int)type;
            string prefix = t >= 0 && t < _keyPrefixes.Length ? _keyPrefixes[t] : null;
            if (prefix != null) return prefix;
            prefix = _resolver.CacheKey + " " + t.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ";
            if (t >= 0 && t < _keyPrefixes.Length) _keyPrefixes[t] = prefix;
            return prefix;
        }

        public Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            // One key for all three tables (the session cache's form: resolver, type, name): one
            // string a question, not two.
            string key = KeyPrefix(type) + name.ToLowerInvariant();
            if (_commandCache.TryGet(key, out var answer))
            {
                Interlocked.Increment(ref _cacheHits);
                return Task.FromResult(answer);
            }
            string sessionKey = _sessionCache == null ? null : key;
            if (_sessionCache != null && _sessionCache.TryGet(sessionKey, out answer))
            {
                Interlocked.Increment(ref _cacheHits);
                return Task.FromResult(answer);
            }
            if (_inFlight.TryGetValue(key, out var waiting)) return waiting.Task;
            var mine = new TaskCompletionSource<DnsAnswer>();
            var first = _inFlight.GetOrAdd(key, mine);
            if (first != mine) return first.Task;
            Send(mine, key, sessionKey, name, type, cancellationToken);
            return mine.Task;
        }

        /// <summary>Sends one question and completes <paramref name="source"/>, which its askers
        /// share. async void: one state machine a query, and nothing else to allocate; it never
        /// throws (every outcome goes to the source).</summary>
        private async void Send(TaskCompletionSource<DnsAnswer> source, string key, string sessionKey, string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _outstanding);
            DnsAnswer answer = null;
            Exception failure = null;
            try
            {
                if (_slots != null) await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await WaitForRateAsync(cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _sent);
                    if (type == DnsRecordType.Txt) Interlocked.Increment(ref _sentTxt);
                    answer = await _resolver.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
                    if (answer.Outcome == DnsOutcome.NxDomain && name != "." && await ResolverDeniesRootAsync(cancellationToken).ConfigureAwait(false))
                        answer = DnsAnswer.Failed(DnsOutcome.BrokenResolver, answer.Elapsed, answer.Server);
                    if (sessionKey != null && answer.Ttl > 0) _sessionCache.Add(sessionKey, answer);
                    else _commandCache.Add(key, answer);
                }
                finally
                {
                    _slots?.Release();
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            // Out of the in-flight table before the askers go on: a duplicate asked from now on
            // finds the cache.
            _inFlight.TryRemove(key, out _);
            Interlocked.Decrement(ref _outstanding);
            if (failure == null) source.TrySetResult(answer);
            else if (failure is OperationCanceledException oce) source.TrySetCanceled(oce.CancellationToken);
            else source.TrySetException(failure);
        }

        /// <summary>A resolver that says even the root does not exist (seen on networks without
        /// internet access) says NXDOMAIN for everything; its "does not exist" means nothing. Asked
        /// once, and only when a negative answer comes, so working resolvers pay nothing.</summary>
        private Task<bool> ResolverDeniesRootAsync(CancellationToken cancellationToken)
        {
            // One probe per command; it observes the command's token like every other query.
            if (Volatile.Read(ref _rootProbe) == null) StartRootProbe(cancellationToken);
            return _rootProbe.Value;
        }

        // Apart, so that the lambda's captures are allocated only here, not on every NXDOMAIN.
        private void StartRootProbe(CancellationToken cancellationToken) =>
            Interlocked.CompareExchange(ref _rootProbe, new Lazy<Task<bool>>(() => ProbeRootAsync(cancellationToken)), null);

        private Lazy<Task<bool>> _rootProbe;

        private async Task<bool> ProbeRootAsync(CancellationToken cancellationToken)
        {
            var root = await _resolver.QueryAsync(".", DnsRecordType.Ns, cancellationToken).ConfigureAwait(false);
            return root.Outcome == DnsOutcome.NxDomain;
        }

        private Task WaitForRateAsync(CancellationToken cancellationToken)
        {
            if (_ticksPerQuery <= 0) return Task.CompletedTask;
            long now = Stopwatch.GetTimestamp();
            long slot;
            lock (_rateLock)
            {
                slot = Math.Max(now, _nextSlot);
                _nextSlot = slot + (long)_ticksPerQuery;
            }
            long waitTicks = slot - now;
            if (waitTicks <= 0) return Task.CompletedTask;
            return Task.Delay(TimeSpan.FromSeconds((double)waitTicks / Stopwatch.Frequency), cancellationToken);
        }

        // The semaphore is left to the collector: a query cancelled by Stop may still release its
        // slot after the command has been disposed, and that must not throw.
        public void Dispose() { }
    }
}
