using System.Collections.Concurrent;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>Definite answers (records, NXDOMAIN, NODATA) by name; failures are never cached.
    /// Bounded: when full, expired entries go first, then everything, so memory never grows with
    /// the input size.</summary>
    public sealed class AnswerCache
    {
        private readonly ConcurrentDictionary<string, Entry> _entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        private readonly int _capacity;
        private readonly bool _honourTtl;
        private int _count, _trimming;

        /// <param name="honourTtl">False for a cache that lives only as long as one command.</param>
        public AnswerCache(int capacity, bool honourTtl)
        {
            _capacity = capacity;
            _honourTtl = honourTtl;
        }

        /// <summary>The cache shared by all commands of one session, honouring TTLs.</summary>
        public static AnswerCache Session { get; } = new AnswerCache(100_000, honourTtl: true);

        public int Count => _entries.Count;

        public bool TryGet(string key, out DnsAnswer answer)
        {
            answer = null;
            if (!_entries.TryGetValue(key, out var entry)) return false;
            if (_honourTtl && entry.Expires <= DateTime.UtcNow)
            {
                if (_entries.TryRemove(key, out _)) Interlocked.Decrement(ref _count);
                return false;
            }
            answer = entry.Answer;
            return true;
        }

        public void Add(string key, DnsAnswer answer)
        {
            if (!answer.IsDefinite) return;
            if (_honourTtl && answer.Ttl <= 0) return;
            // ConcurrentDictionary.Count takes every lock of the table: with hundreds of answers a
            // second arriving on several threads that alone was the slowest part of a lookup.
            if (Volatile.Read(ref _count) >= _capacity) Trim();
            var entry = new Entry(answer, DateTime.UtcNow.AddSeconds(answer.Ttl));
            if (_entries.TryAdd(key, entry)) Interlocked.Increment(ref _count);
            else _entries[key] = entry;
        }

        public void Clear()
        {
            _entries.Clear();
            // Adds racing with the clear may have landed: recount (rare: only when the cache is full)
            // so that the bound stays a bound.
            Volatile.Write(ref _count, _entries.Count);
        }

        private void Trim()
        {
            if (Interlocked.CompareExchange(ref _trimming, 1, 0) != 0) return;
            try
            {
                var now = DateTime.UtcNow;
                foreach (var pair in _entries)
                    if (pair.Value.Expires <= now && _entries.TryRemove(pair.Key, out _)) Interlocked.Decrement(ref _count);
                if (Volatile.Read(ref _count) >= _capacity) Clear();
            }
            finally
            {
                Volatile.Write(ref _trimming, 0);
            }
        }

        private readonly struct Entry
        {
            public Entry(DnsAnswer answer, DateTime expires) { Answer = answer; Expires = expires; }
            public DnsAnswer Answer { get; }
            public DateTime Expires { get; }
        }
    }
}
