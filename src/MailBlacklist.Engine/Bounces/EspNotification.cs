using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>JSON notifications of sending services (Amazon SES through SNS and the like): the
    /// message body is a JSON object whose bounce, complaint or delivery part names the recipients.
    /// Read with patterns, not a JSON library: only a handful of string fields matter, and a
    /// damaged notification should still give what it can.</summary>
    public static class EspNotification
    {
        private const RegexOptions Opt = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        private static readonly TieredRegex Kind = Patterns.Make(@"""(?:notificationType|eventType)""\s*:\s*""(?<k>Bounce|Complaint|Delivery)""", Opt);
        private static readonly TieredRegex RecipientObject = Patterns.Make(@"\{[^{}]*""emailAddress""\s*:\s*""[^""]+""[^{}]*\}", Opt);
        private static readonly TieredRegex DeliveryRecipients = Patterns.Make(@"""recipients""\s*:\s*\[(?<list>[^\]]*)\]", Opt);
        private static readonly TieredRegex Quoted = Patterns.Make(@"""(?<v>(?:[^""\\]|\\.)*)""", Opt);

        public sealed class Entry
        {
            public string Kind, Recipient, Status, Action, Diagnostic;
        }

        public static List<Entry> Read(string text)
        {
            var entries = new List<Entry>();
            if (string.IsNullOrEmpty(text)) return entries;
            // Nearly every message is no such notification: a plain search for the field names
            // (never missing one the pattern would find) spares the pattern's scan of the body.
            if (text.IndexOf("notificationType", StringComparison.OrdinalIgnoreCase) < 0
                && text.IndexOf("eventType", StringComparison.OrdinalIgnoreCase) < 0) return entries;
            Match kind = Kind.Match(text);
            if (!kind.Success) return entries;
            string k = kind.Groups["k"].Value;
            if (k.Equals("Delivery", System.StringComparison.OrdinalIgnoreCase))
            {
                Match list = DeliveryRecipients.Match(text);
                string response = Field(text, "smtpResponse");
                foreach (Match q in Quoted.Matches(list.Success ? list.Groups["list"].Value : string.Empty))
                    entries.Add(new Entry { Kind = "Delivery", Recipient = Unescape(q.Groups["v"].Value), Diagnostic = response, Action = "delivered" });
                return entries;
            }
            foreach (Match o in RecipientObject.Matches(text))
            {
                entries.Add(new Entry
                {
                    Kind = k,
                    Recipient = Field(o.Value, "emailAddress"),
                    Status = Field(o.Value, "status"),
                    Action = Field(o.Value, "action"),
                    Diagnostic = Field(o.Value, "diagnosticCode"),
                });
            }
            return entries;
        }

        // One pattern per field name (a handful of names, all in this file), built on first use.
        private static readonly ConcurrentDictionary<string, TieredRegex> FieldPatterns = new ConcurrentDictionary<string, TieredRegex>();
        private static readonly TieredRegex Escape = Patterns.Make(@"\\(u[0-9a-fA-F]{4}|.)", RegexOptions.None);

        private static string Field(string json, string name)
        {
            var pattern = FieldPatterns.GetOrAdd(name, n => Patterns.Make(@"""" + n + @"""\s*:\s*""(?<v>(?:[^""\\]|\\.)*)""", Opt));
            Match m = pattern.Match(json);
            return m.Success ? Unescape(m.Groups["v"].Value) : null;
        }

        private static string Unescape(string s) => Escape.Replace(s, m =>
        {
            string e = m.Groups[1].Value;
            if (e.Length == 5) return ((char)System.Convert.ToInt32(e.Substring(1), 16)).ToString();
            switch (e) { case "n": return "\n"; case "t": return "\t"; case "r": return ""; default: return e; }
        });
    }
}
