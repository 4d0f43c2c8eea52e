using System.Text.RegularExpressions;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.Dnsbl
{
    /// <summary>A zone as one command uses it: the catalogue entry (or none, for a zone the catalogue
    /// does not know) and the name actually queried (the DQS form when a key is given).</summary>
    public sealed class ZoneTarget
    {
        public string Name { get; private set; }
        public string DisplayName { get; private set; }
        /// <summary>Null for a zone the catalogue does not know: read by RFC 5782 rules.</summary>
        public CatalogZone Entry { get; private set; }
        /// <summary>The zone queried. Holds the DQS key when one is used: never show it.</summary>
        internal string QueryZone { get; private set; }
        public InputKinds Kinds { get; private set; }
        /// <summary>Asked through Spamhaus DQS (with a key): never through the list's public servers.</summary>
        internal bool UsesDqs { get; private set; }
        /// <summary>The zone needs a key the command was not given.</summary>
        public bool MissingKey { get; private set; }

        public bool Accepts(InputKinds kind) => (Kinds & kind) != 0;

        public static ZoneTarget FromCatalog(CatalogZone entry, Catalog catalog, string dqsKey)
        {
            bool dqs = !string.IsNullOrEmpty(dqsKey) && !string.IsNullOrWhiteSpace(entry.DqsZone);
            return new ZoneTarget
            {
                Name = entry.Name,
                DisplayName = entry.DisplayName,
                Entry = entry,
                QueryZone = dqs ? dqsKey + "." + entry.DqsZone.Trim().Trim('.').ToLowerInvariant() + "." + catalog.DqsBase : entry.Name,
                Kinds = entry.KindSet,
                MissingKey = entry.NeedsKey && !dqs,
                UsesDqs = dqs,
            };
        }

        public static ZoneTarget Unknown(string name) => new ZoneTarget
        {
            Name = name,
            DisplayName = name,
            QueryZone = name,
            Kinds = InputKinds.IPv4 | InputKinds.IPv6 | InputKinds.Domain,
        };

        /// <summary>DQS keys are letters and digits; anything else could smuggle labels into the query name.</summary>
        public static bool IsValidDqsKey(string key) =>
            !string.IsNullOrEmpty(key) && key.Length <= 63 && key.All(c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));

        /// <summary>Resolves -Zone values (catalogue names, wildcards, or other zone names) or, without
        /// any, the catalogue's default set for the kinds of input. Values that match nothing are
        /// returned in <paramref name="unmatched"/>.</summary>
        public static List<ZoneTarget> Select(Catalog catalog, IEnumerable<string> patterns, InputKinds kinds, string dqsKey, List<string> unmatched)
        {
            var result = new List<ZoneTarget>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var list = patterns?.Where(p => !string.IsNullOrWhiteSpace(p)).ToList() ?? new List<string>();
            if (list.Count == 0)
            {
                bool haveKey = !string.IsNullOrEmpty(dqsKey);
                foreach (var zone in catalog.Zones.Where(z => z.EnabledByDefault && (z.KindSet & kinds) != 0))
                {
                    if (zone.NeedsKey && !(haveKey && !string.IsNullOrWhiteSpace(zone.DqsZone))) continue;
                    if (seen.Add(zone.Name)) result.Add(FromCatalog(zone, catalog, dqsKey));
                }
                return result;
            }

            foreach (string raw in list)
            {
                string pattern = raw.Trim().TrimEnd('.');
                // Only * and ? are wildcards here: a stray [ in a zone name is an error to report,
                // not a pattern that stops the command.
                if (pattern.IndexOfAny(new[] { '*', '?' }) >= 0)
                {
                    var regex = WildcardToRegex(pattern);
                    var matches = catalog.Zones.Where(z => regex.IsMatch(z.Name) || regex.IsMatch(z.DisplayName)).ToList();
                    if (matches.Count == 0) unmatched?.Add(raw);
                    foreach (var zone in matches)
                        if (seen.Add(zone.Name)) result.Add(FromCatalog(zone, catalog, dqsKey));
                    continue;
                }
                var entry = catalog.Find(pattern);
                if (entry != null)
                {
                    if (seen.Add(entry.Name)) result.Add(FromCatalog(entry, catalog, dqsKey));
                    continue;
                }
                string name = DomainName.Normalize(pattern);
                if (name == null || name.IndexOf('.') < 0) { unmatched?.Add(raw); continue; }
                if (seen.Add(name)) result.Add(Unknown(name));
            }
            return result;
        }

        internal static Regex WildcardToRegex(string pattern)
        {
            string body = Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".");
            return new Regex("^" + body + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }
}
