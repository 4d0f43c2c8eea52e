namespace MailBlacklist
{
    /// <summary>Queries counted per zone and UTC day across the session, to warn before a list's
    /// published free-use volume is exceeded.</summary>
    internal static class UsageToday
    {
        private static readonly Dictionary<string, long> Counts = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        private static DateTime _day = DateTime.UtcNow.Date;

        public static long Add(string zone)
        {
            lock (Counts)
            {
                if (DateTime.UtcNow.Date != _day) { Counts.Clear(); _day = DateTime.UtcNow.Date; }
                Counts.TryGetValue(zone, out long n);
                Counts[zone] = ++n;
                return n;
            }
        }
    }
}
