using MailBlacklist.Engine.Baseline;

namespace MailBlacklist.Engine.Reports
{
    /// <summary>Turns an output object of Test-Dnsbl, Invoke-MailDeliveryDiagnosis or
    /// Get-BounceReason into a report row, by its property names, so that the same works for the
    /// live objects and for rows read back with Import-Csv.</summary>
    public static class ReportItemReader
    {
        /// <summary><paramref name="property"/> returns a property's text, or null when the object
        /// has no such property. Null when the object is none of the three commands' output.</summary>
        public static ReportItem Read(Func<string, string> property, CultureInfo culture)
        {
            string command = BaselineKind.Detect(name => property(name) != null);
            string P(string name) => property(name) ?? string.Empty;
            switch (command)
            {
                case BaselineKind.TestDnsbl: return FromDnsbl(P, culture);
                case BaselineKind.Diagnosis: return FromDiagnosis(P);
                case BaselineKind.BounceReason: return FromBounce(P);
                default: return null;
            }
        }

        private static ReportItem FromDnsbl(Func<string, string> p, CultureInfo culture)
        {
            Enum.TryParse(p("Status"), true, out DnsblStatus status);
            var level = status == DnsblStatus.Listed ? ReportLevel.Critical
                : status == DnsblStatus.Policy ? ReportLevel.Warning
                : status == DnsblStatus.Error || status == DnsblStatus.ZoneUnhealthy ? ReportLevel.Unknown
                : status == DnsblStatus.Info ? ReportLevel.Info
                : ReportLevel.Ok;
            // Test-Dnsbl has no Fix column: the report says what each status asks for.
            string fix = level == ReportLevel.Ok ? string.Empty : Messages.Get("Report_DnsblFix_" + level, culture);
            return new ReportItem
            {
                Source = ReportSource.Dnsbl,
                Target = p("Input"),
                Status = p("Status"),
                Level = level,
                Item = p("Zone"),
                Cause = Join(p("Meaning"), p("Detail")),
                Evidence = Join(p("ReturnCodes"), p("Reason")),
                Fix = fix,
                Url = p("LookupUrl"),
                Change = p("Change"),
                Since = p("Since"),
            };
        }

        private static ReportItem FromDiagnosis(Func<string, string> p)
        {
            Enum.TryParse(p("Severity"), true, out DiagnosisSeverity severity);
            var level = severity == DiagnosisSeverity.Critical ? ReportLevel.Critical
                : severity == DiagnosisSeverity.Warning ? ReportLevel.Warning
                : severity == DiagnosisSeverity.Info ? ReportLevel.Info : ReportLevel.Ok;
            return new ReportItem
            {
                Source = ReportSource.Diagnosis,
                Target = p("Target"),
                Status = p("Severity"),
                Level = level,
                Item = Join(p("Check"), p("CauseCode")),
                Cause = p("Cause"),
                Evidence = p("Evidence"),
                Fix = p("Fix"),
                Url = p("Url"),
                Change = p("Change"),
                Since = p("Since"),
            };
        }

        private static ReportItem FromBounce(Func<string, string> p)
        {
            string reason = p("Reason"), action = p("Action").ToLowerInvariant();
            // A message that is no bounce, or a delivery report, is information; a delay is a warning;
            // anything else is mail that did not arrive.
            var level = reason == "NotABounce" || action == "delivered" || action == "relayed" || action == "expanded" ? ReportLevel.Info
                : reason == "Delayed" || action == "delayed" ? ReportLevel.Warning
                : ReportLevel.Critical;
            string code = Join(p("ReplyCode"), p("Status"), p("ProviderCode"));
            return new ReportItem
            {
                Source = ReportSource.Bounce,
                // A -Message bounce has no recipient: the sending address is what the reader acts on.
                Target = new[] { p("Recipient"), p("IPAddress"), p("Path") }.FirstOrDefault(s => s.Length > 0) ?? string.Empty,
                Status = reason,
                Level = level,
                Item = Join(reason, code),
                Cause = p("Cause"),
                Evidence = Join(p("DiagnosticText"), p("RemoteMta"), p("IPAddress"), p("Blocklist"), p("Date")),
                Fix = p("Fix"),
                Url = p("Url"),
            };
        }

        private static string Join(params string[] parts) =>
            string.Join(" | ", parts.Where(s => !string.IsNullOrWhiteSpace(s)));
    }
}
