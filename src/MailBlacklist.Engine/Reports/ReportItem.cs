namespace MailBlacklist.Engine.Reports
{
    /// <summary>Where a row of the report comes from.</summary>
    public enum ReportSource { Dnsbl, Diagnosis, Bounce }

    /// <summary>How a row is shown and counted: what needs action first. Unknown is a check
    /// without a usable answer, never folded into Ok.</summary>
    public enum ReportLevel { Critical, Warning, Unknown, Info, Ok }

    /// <summary>One row of the HTML report, whatever command it came from. Texts are raw here;
    /// the writer encodes every one of them.</summary>
    public sealed class ReportItem
    {
        public ReportSource Source { get; set; }
        /// <summary>The section it belongs to: an address, a domain, a recipient.</summary>
        public string Target { get; set; } = string.Empty;
        /// <summary>The command's own status word: Listed, Critical, UserUnknown...</summary>
        public string Status { get; set; } = string.Empty;
        public ReportLevel Level { get; set; }
        /// <summary>The list, or the check and cause code, or the bounce reason.</summary>
        public string Item { get; set; } = string.Empty;
        public string Cause { get; set; } = string.Empty;
        public string Evidence { get; set; } = string.Empty;
        public string Fix { get; set; } = string.Empty;
        public string Url { get; set; } = string.Empty;
        /// <summary>New, Delisted, Resolved, Unchanged, Unknown, or empty without a baseline.</summary>
        public string Change { get; set; } = string.Empty;
        public string Since { get; set; } = string.Empty;

        /// <summary>A change worth the top of the report: a new problem, a delisting, a resolved finding.</summary>
        public bool IsNotableChange =>
            Change == Baseline.Change.Delisted || Change == Baseline.Change.Resolved
            || (Change == Baseline.Change.New && (Level == ReportLevel.Critical || Level == ReportLevel.Warning));
    }
}
