namespace MailBlacklist.Engine.Baseline
{
    /// <summary>The values of the Change column that -Baseline fills (empty without a comparison).</summary>
    public static class Change
    {
        /// <summary>A problem now that the baseline did not have.</summary>
        public const string New = "New";
        /// <summary>Test-Dnsbl: listed (Listed or Policy) in the baseline, answered "not listed" now.</summary>
        public const string Delisted = "Delisted";
        /// <summary>The diagnosis: a problem of the baseline that is gone (an extra Info finding).</summary>
        public const string Resolved = "Resolved";
        public const string Unchanged = "Unchanged";
        /// <summary>No comparison possible: no usable answer now or then, or nothing to compare with.</summary>
        public const string Unknown = "Unknown";

        /// <summary>Since is UTC in ISO 8601 (as text, so that Export-Csv writes it the same in
        /// every culture and a night's CSV sorts and diffs).</summary>
        public static string FormatSince(DateTime utc) =>
            utc.ToUniversalTime().ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

        /// <summary>A Since cell of a baseline, or null when empty or unreadable (then "now" is used).</summary>
        public static string ParseSince(string cell)
        {
            if (string.IsNullOrWhiteSpace(cell)) return null;
            return DateTime.TryParse(cell.Trim(), CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var when)
                ? FormatSince(when) : null;
        }
    }
}
