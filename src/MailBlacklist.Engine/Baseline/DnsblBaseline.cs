namespace MailBlacklist.Engine.Baseline
{
    /// <summary>Last night's Test-Dnsbl CSV, by address and zone, and the rule that turns a result
    /// and its baseline row into Change and Since. An unknown answer (Error, ZoneUnhealthy) now or
    /// then is never a change: "no answer" is not "not listed".</summary>
    public sealed class DnsblBaseline
    {
        private readonly Dictionary<string, (DnsblStatus status, string since)> _rows =
            new Dictionary<string, (DnsblStatus, string)>(StringComparer.OrdinalIgnoreCase);

        public int Count => _rows.Count;

        public static DnsblBaseline Load(CsvTable table)
        {
            BaselineKind.RequireRows(table, BaselineKind.TestDnsbl);
            var baseline = new DnsblBaseline();
            for (int i = 0; i < table.Rows.Count; i++)
            {
                var row = table.Rows[i];
                var status = BaselineKind.EnumCell<DnsblStatus>(table, i, "Status");
                baseline._rows[Key(table.Cell(row, "Input"), table.Cell(row, "Zone"))] = (status, Change.ParseSince(table.Cell(row, "Since")));
            }
            return baseline;
        }

        private static string Key(string input, string zone) => (input ?? string.Empty).Trim() + "\n" + (zone ?? string.Empty).Trim();

        /// <summary>Sets Change and Since of a result. <paramref name="now"/> is the command's start,
        /// in the Since format.</summary>
        public void Annotate(DnsblResult result, string now)
        {
            if (!_rows.TryGetValue(Key(result.Input, result.Zone), out var before))
            {
                // Not checked last time (a new address or list): a listing is new; anything else has
                // nothing to be compared with.
                result.Change = IsBlocking(result.Status) ? Change.New : Change.Unknown;
                result.Since = now;
                return;
            }
            result.Change = Compare(before.status, result.Status);
            result.Since = before.status == result.Status && before.since != null ? before.since : now;
        }

        /// <summary>Fills Since alone, for a run with -Baseline but no usable baseline (the first
        /// night): tomorrow's comparison then knows when each state was first seen.</summary>
        public static void StartHistory(DnsblResult result, string now) => result.Since = now;

        public static string Compare(DnsblStatus before, DnsblStatus now)
        {
            if (IsUnknown(before) || IsUnknown(now)) return Change.Unknown;
            bool was = IsBlocking(before), isNow = IsBlocking(now);
            if (!was && isNow) return Change.New;
            if (was && now == DnsblStatus.NotListed) return Change.Delisted;
            return Change.Unchanged;
        }

        private static bool IsBlocking(DnsblStatus s) => s == DnsblStatus.Listed || s == DnsblStatus.Policy;
        private static bool IsUnknown(DnsblStatus s) => s == DnsblStatus.Error || s == DnsblStatus.ZoneUnhealthy;
    }
}
