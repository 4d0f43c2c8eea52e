using System;
using System.Collections.Generic;

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
            Dictionary<string, string> current = null;
            string lastName = null;
            Dictionary<string, string> lastGroup = null;
            foreach (string line in (text ?? string.Empty).Split('\n'))
            {
                if (line.Trim().Length == 0) { current = null; lastName = null; continue; }
                if ((line[0] == ' ' || line[0] == '\t') && lastName != null)
                {
                    // Folded field: continue the previous value.
                    lastGroup[lastName] = lastGroup[lastName] + " " + line.Trim();
                    continue;
                }
                int colon = line.IndexOf(':');
                if (colon <= 0 || line.Substring(0, colon).Contains(" ")) { lastName = null; continue; }
                string name = line.Substring(0, colon).Trim();
                string value = line.Substring(colon + 1).Trim();
                bool startsRecipient = name.Equals("Final-Recipient", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("Original-Recipient", StringComparison.OrdinalIgnoreCase);
                // Original-Recipient may come before or after Final-Recipient within one group.
                if (startsRecipient && (current == null || current.ContainsKey(name) || current.ContainsKey("Action") || current.ContainsKey("Status")))
                {
                    current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    dsn.Recipients.Add(current);
                }
                var group = current ?? dsn.PerMessage;
                if (!group.ContainsKey(name)) group[name] = value;
                lastName = group[name] == value ? name : null;
                lastGroup = group;
            }
            return dsn;
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
