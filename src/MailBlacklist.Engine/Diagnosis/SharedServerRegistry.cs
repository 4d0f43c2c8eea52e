using System.Collections.Concurrent;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Run-wide evidence for shared servers: which domains of this run point at each address
    /// (single SPF addresses and MX addresses) and which addresses were found listed. Read once at
    /// the end of the run, so the result does not depend on the order work finishes in.</summary>
    public sealed class SharedServerRegistry
    {
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _domains =
            new ConcurrentDictionary<string, ConcurrentDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, DiagnosisFinding> _listed =
            new ConcurrentDictionary<string, DiagnosisFinding>(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, bool> _reported = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        public void AddUse(string address, string domain, string how) =>
            _domains.GetOrAdd(address, _ => new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase)).TryAdd(domain, how);

        public void AddListing(string address, DiagnosisFinding listing) => _listed.TryAdd(address, listing);

        public void MarkReported(string address) => _reported[address] = true;

        /// <summary>Listed addresses that at least <paramref name="threshold"/> domains of the run point
        /// at and that no finding has called shared yet, with those domains (sorted).</summary>
        public IEnumerable<(string Address, DiagnosisFinding Listing, IReadOnlyList<string> Domains)> Shared(int threshold)
        {
            foreach (var pair in _listed.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (_reported.ContainsKey(pair.Key)) continue;
                if (!_domains.TryGetValue(pair.Key, out var users) || users.Count < threshold) continue;
                yield return (pair.Key, pair.Value, users.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => u.Key + " (" + u.Value + ")").ToList());
            }
        }
    }
}
