using System.Collections.Concurrent;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.Dnsbl
{
    /// <summary>When a list refuses the configured resolver (REFUSED, or the list's own "refused"
    /// code from the catalogue), its own name servers are asked instead, if its terms allow it and
    /// no Spamhaus DQS key is in use. One per command, shared by its checkers, so that the command
    /// can name every list asked this way in one warning.</summary>
    public sealed class DirectQueries
    {
        private readonly AuthoritativeFallback _fallback;
        private readonly CultureInfo _culture;
        private readonly ConcurrentDictionary<string, string> _asked = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public DirectQueries(AuthoritativeFallback fallback, CultureInfo culture)
        {
            _fallback = fallback;
            _culture = culture;
        }

        /// <summary>Each list asked directly (catalogue name) with the refusal that sent it there
        /// ("REFUSED" or the code), by name.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Asked =>
            _asked.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).ToArray();

        /// <summary>"REFUSED", the list's refused code, or null when the answer is no refusal.</summary>
        internal static string Refusal(ZoneTarget zone, DnsAnswer answer)
        {
            if (answer.Outcome == DnsOutcome.Refused) return "REFUSED";
            if (answer.Outcome != DnsOutcome.Answer || zone.Entry == null || zone.Entry.RefusedAddresses.Count == 0) return null;
            var refused = answer.Addresses.FirstOrDefault(a => zone.Entry.RefusedAddresses.Contains(a));
            return refused?.ToString();
        }

        /// <summary>DQS takes precedence (its servers answer any resolver); a list whose terms forbid
        /// direct queries, or that needs a key, is never asked this way.</summary>
        internal static bool Allowed(ZoneTarget zone) =>
            !zone.UsesDqs && !zone.MissingKey && (zone.Entry == null || zone.Entry.AllowsDirectQueries);

        internal async Task<DirectRoute> RouteAsync(ZoneTarget zone, string refusal, CancellationToken cancellationToken)
        {
            var route = await _fallback.RouteAsync(zone.QueryZone, cancellationToken).ConfigureAwait(false);
            // Named in the warning only when its servers were really asked.
            if (route.Queries != null) _asked.TryAdd(zone.Name, refusal);
            return route;
        }

        /// <summary>Why the zone's own servers gave no answer, server by server, localized.</summary>
        internal string Describe(DirectRoute route, DnsAnswer answer)
        {
            if (route.Queries == null)
            {
                // Short: the resolver's own failure is usually in the Detail already.
                var f = route.Failure;
                string why = string.IsNullOrEmpty(f.ResponseCode) ? f.Outcome.ToString() : f.ResponseCode;
                return Messages.Format("Direct_NoServers", _culture, route.Zone, why);
            }
            var attempts = answer.Attempts.Count > 0 ? answer.Attempts : new[] { answer };
            return Messages.Format("Direct_Failed", _culture, route.Zone, string.Join(Messages.Pick("; ", "\u3001", _culture), attempts.Select(DescribeServer)));
        }

        private string DescribeServer(DnsAnswer a)
        {
            switch (a.Outcome)
            {
                case DnsOutcome.Timeout: return Messages.Format("Direct_ServerTimeout", _culture, a.Server);
                case DnsOutcome.Unreachable: return Messages.Format("Direct_ServerUnreachable", _culture, a.Server);
                case DnsOutcome.Refused: return Messages.Format("Direct_ServerLame", _culture, a.Server, a.ResponseCode);
                default:
                    bool lame = (a.ResponseCode ?? string.Empty).EndsWith(AuthoritativeResolver.NotAuthoritative, StringComparison.Ordinal);
                    return Messages.Format(lame ? "Direct_ServerLame" : "Direct_ServerError", _culture, a.Server, a.ResponseCode);
            }
        }

        internal string NotAllowed() => Messages.Get("Direct_NotAllowed", _culture);
    }
}
