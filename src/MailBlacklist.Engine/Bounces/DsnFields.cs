namespace MailBlacklist.Engine.Bounces
{
    /// <summary>The fields of an RFC 3464 message/delivery-status body: one per-message group and one
    /// group per recipient. Parsed from text so that the same code reads a proper delivery-status part
    /// and the DSN-like field blocks some MTAs put into their plain-text part.</summary>
    public sealed class DsnFields
    {
        public Dictionary<string, string> PerMessage { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public List<Dictionary<string, string>> Recipients { get; } = new List<Dictionary<string, string>>();

        public static DsnFields Parse(string text)
        {
            var dsn = new DsnFields();
            foreach (var block in Blocks(text))
            {
                bool hasRecipient = block.Exists(f => IsRecipientField(f.Key));
                if (!hasRecipient)
                {
                    foreach (var f in block) if (!dsn.PerMessage.ContainsKey(f.Key)) dsn.PerMessage[f.Key] = f.Value;
                    continue;
                }
                // Usually one recipient per block; some MTAs list several without blank lines, and
                // some write Action or Status before Final-Recipient: fields before the first
                // recipient field belong to the first group.
                Dictionary<string, string> group = null;
                foreach (var f in block)
                {
                    if (PerMessageFields.Contains(f.Key))
                    {
                        if (!dsn.PerMessage.ContainsKey(f.Key)) dsn.PerMessage[f.Key] = f.Value;
                        continue;
                    }
                    if (group == null || (IsRecipientField(f.Key) && group.ContainsKey(f.Key)))
                    {
                        group = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                        dsn.Recipients.Add(group);
                    }
                    if (!group.ContainsKey(f.Key)) group[f.Key] = f.Value;
                }
            }
            return dsn;
        }

        // RFC 3464 per-message fields, recognised even when no blank line separates them from a recipient.
        private static readonly HashSet<string> PerMessageFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { "Reporting-MTA", "Arrival-Date", "Received-From-MTA", "DSN-Gateway", "Original-Envelope-Id", "X-Postfix-Queue-ID", "X-Postfix-Sender" };

        private static bool IsRecipientField(string name) =>
            name.Equals("Final-Recipient", StringComparison.OrdinalIgnoreCase) || name.Equals("Original-Recipient", StringComparison.OrdinalIgnoreCase);

        /// <summary>Field lists separated by blank lines, folded lines joined.</summary>
        private static List<List<KeyValuePair<string, string>>> Blocks(string text)
        {
            var blocks = new List<List<KeyValuePair<string, string>>>();
            List<KeyValuePair<string, string>> current = null;
            foreach (string line in (text ?? string.Empty).Split('\n'))
            {
                if (line.Trim().Length == 0) { current = null; continue; }
                if ((line[0] == ' ' || line[0] == '\t') && current != null && current.Count > 0)
                {
                    var last = current[current.Count - 1];
                    current[current.Count - 1] = new KeyValuePair<string, string>(last.Key, last.Value + " " + line.Trim());
                    continue;
                }
                int colon = line.IndexOf(':');
                if (colon <= 0 || line.Substring(0, colon).Contains(" ")) continue;
                if (current == null) { current = new List<KeyValuePair<string, string>>(); blocks.Add(current); }
                current.Add(new KeyValuePair<string, string>(line.Substring(0, colon).Trim(), line.Substring(colon + 1).Trim()));
            }
            return blocks;
        }

        /// <summary>The value after "type;" (rfc822; user@example.jp -> user@example.jp).</summary>
        public static string Typed(string value, out string type)
        {
            type = null;
            if (string.IsNullOrEmpty(value)) return value;
            int semi = value.IndexOf(';');
            if (semi > 0 && semi < 16 && !value.Substring(0, semi).Contains(" "))
            {
                type = value.Substring(0, semi).Trim();
                return value.Substring(semi + 1).Trim();
            }
            return value.Trim();
        }
    }
}
