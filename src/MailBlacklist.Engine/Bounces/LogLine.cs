using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>The fields a sending MTA's own log line states about one delivery, for a pasted log
    /// line: Postfix and Sendmail write the RFC 3463 code as "dsn=5.1.1" and the outcome as
    /// "status=bounced" / "stat=Deferred: ..."; Exim marks a failure "**" and a deferral "=="; qmail-send
    /// writes "delivery 42: failure: 192.0.2.25_does_not_like_recipient./Remote_host_said:_550_..."
    /// with spaces as "_" and line breaks as "/".</summary>
    internal static class LogLine
    {
        private const RegexOptions Opt = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        private static readonly Regex Dsn = new Regex(@"\bdsn=(?<s>[245]\.\d{1,3}\.\d{1,3})\b", Opt);
        private static readonly Regex Outcome = new Regex(@"\bstatus=(?<o>bounced|deferred|expired|sent|undeliverable)\b|\bstat=(?<o>deferred|sent)\b", Opt);
        private static readonly Regex EximMark = new Regex(@"^\S+ \S+ (?:\S+ )?[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} (?<o>\*\*|==) ", Opt | RegexOptions.Multiline);
        private static readonly Regex Qmail = new Regex(@"\bdelivery \d+: (?<o>failure|deferral|success): (?<t>\S+)", Opt);

        /// <summary>The text with qmail's encoding undone, the status the line states (or null) and
        /// the action it implies (failed, delayed, delivered, or null when it is not a log line).</summary>
        public static string Read(string text, out string status, out string action)
        {
            status = null;
            action = null;
            Match q = Qmail.Match(text);
            if (q.Success)
            {
                action = Action(q.Groups["o"].Value);
                text = text.Substring(0, q.Groups["t"].Index) + q.Groups["t"].Value.Replace('_', ' ').Replace('/', '\n');
                return text;
            }
            Match d = Dsn.Match(text);
            if (d.Success) status = d.Groups["s"].Value;
            Match o = Outcome.Match(text);
            if (o.Success) action = Action(o.Groups["o"].Value);
            else
            {
                Match e = EximMark.Match(text);
                if (e.Success) action = e.Groups["o"].Value == "==" ? "delayed" : "failed";
            }
            // Sendmail writes the receiver's words in stat= ("stat=User unknown"): a permanent code is a failure.
            if (action == null && status != null && status.StartsWith("5")) action = "failed";
            return text;
        }

        private static string Action(string outcome)
        {
            switch (outcome.ToLowerInvariant())
            {
                case "deferred":
                case "deferral": return "delayed";
                case "sent":
                case "success": return "delivered";
                default: return "failed";
            }
        }
    }
}
