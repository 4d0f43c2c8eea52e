using System;
using System.Collections.Concurrent;
using System.Linq;

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
                _entries.TryRemove(key, out _);
                return false;
            }
            answer = entry.Answer;
            return true;
        }

        public void Add(string key, DnsAnswer answer)
        {
            if (!answer.IsDefinite) return;
            if (_honourTtl && answer.Ttl <= 0) return;
            if (_entries.Count >= _capacity) Trim();
            _entries[key] = new Entry(answer, DateTime.UtcNow.AddSeconds(answer.Ttl));
        }

        public void Clear() => _entries.Clear();

        private void Trim()
        {
            var now = DateTime.UtcNow;
            foreach (var pair in _entries.Where(p => p.Value.Expires <= now).ToList()) _entries.TryRemove(pair.Key, out _);
            if (_entries.Count >= _capacity) _entries.Clear();
        }

        private readonly struct Entry
        {
            public Entry(DnsAnswer answer, DateTime expires) { Answer = answer; Expires = expires; }
            public DnsAnswer Answer { get; }
            public DateTime Expires { get; }
        }
    }
}
