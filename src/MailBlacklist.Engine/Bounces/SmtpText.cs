using System.Text;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>Codes in SMTP text: RFC 3463 enhanced status codes, RFC 5321 reply codes, and the
    /// joining of multi-line replies ("550-5.7.1 a" / "550 5.7.1 b" becomes "550 5.7.1 a b").</summary>
    public static class SmtpText
    {
        // Not preceded by a digit, dot or letter (so IP addresses, versions and dates do not count),
        // and not followed by more digits or dots.
        private static readonly TieredRegex EnhancedStatus = Patterns.Make(@"(?<![\w.\-/=])(?<code>[245]\.[0-7]\.\d{1,3})(?![\d.]*\d)(?!\.\d)", RegexOptions.CultureInvariant);
        private static readonly TieredRegex ReplyCode = Patterns.Make(@"(?<![\w.:\-/=#+])(?<code>[245][0-5]\d)(?=[ \-]|$)(?![ \-]?\d{2}[:/])", RegexOptions.CultureInvariant | RegexOptions.Multiline);
        // "ERROR_CODE :421" (Zoho), "SMTP code: 550".
        private static readonly TieredRegex LabelledReplyCode = Patterns.Make(@"(?:error_code|smtp code|reply code)\s*:\s*(?<code>[245]\d\d)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        private static readonly TieredRegex ContinuationPrefix = Patterns.Make(@"^\s*(?<code>[245]\d\d)(?<sep>[ \-])(?:(?<status>[245]\.\d{1,3}\.\d{1,3})\s+)?", RegexOptions.CultureInvariant);
        private static readonly TieredRegex Ipv4 = Patterns.Make(@"\b\d{1,3}(?:\.\d{1,3}){3}\b", RegexOptions.CultureInvariant);

        /// <summary>The most specific enhanced status code in the text: the first that is not x.0.0,
        /// else the first x.0.0; null when there is none.</summary>
        public static string FindStatus(string text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            text = Ipv4.Replace(text, "ip");
            string vague = null;
            foreach (Match m in EnhancedStatus.Matches(text))
            {
                string code = m.Groups["code"].Value;
                if (code.EndsWith(".0.0")) { vague = vague ?? code; continue; }
                return code;
            }
            return vague;
        }

        private static readonly TieredRegex RepliedStatus = Patterns.Make(@"(?<![\w.])[245]\d\d[\s\-:']+(?<code>[245]\.[0-7]\.\d{1,3})(?![\d.]*\d)", RegexOptions.CultureInvariant);

        /// <summary>The enhanced code right after a reply code ("550 5.2.2", "550-'5.2.2"): the
        /// receiver's own words, as opposed to a code the reporting MTA chose.</summary>
        public static string FindRepliedStatus(string text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            foreach (Match m in RepliedStatus.Matches(text))
                if (!m.Groups["code"].Value.EndsWith(".0.0")) return m.Groups["code"].Value;
            return null;
        }

        /// <summary>The text from the first "reply code + enhanced status" on, or null when the
        /// text has none or starts with it.</summary>
        public static string ReceiverReply(string text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            // A sendmail transcript marks the receiver's reply with "<<<"; what follows it ("554 5.0.0
            // Service unavailable") is the reporting MTA's own summary.
            Match quoted = TranscriptReply.Match(text);
            if (quoted.Success && quoted.Groups["reply"].Value[0] != '2')
            {
                string reply = quoted.Groups["reply"].Value.Trim();
                if (quoted.Index > 0 || reply.Length < text.Length - 4) return reply;
            }
            Match m = RepliedStatus.Match(text);
            if (m.Success && m.Index > 0) return text.Substring(m.Index);
            // "Remote host said: 550 ...", "host x[ip] said: 550 ...": what follows is the receiver's.
            Match said = Said.Match(text);
            return said.Success && said.Index + said.Length < text.Length ? text.Substring(said.Index + said.Length) : null;
        }

        // The first failing "<<< 5xx ..." up to the next transcript mark or the next coded line.
        private static readonly TieredRegex TranscriptReply = Patterns.Make(@"<<<\s*(?<reply>[45]\d\d\b.*?)(?=\s*(?:<<<|>>>|(?<![\w.])[245]\d\d[ \-][245]\.\d{1,3}\.\d{1,3}\b|(?<![\w.])[245]\d\d [^\s]+\.{3}|$))", RegexOptions.CultureInvariant);
        private static readonly TieredRegex Said = Patterns.Make(@"\bsaid:\s*(?=[245]\d\d\b)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        public static string FindReplyCode(string text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            text = Ipv4.Replace(text, "ip");
            Match m = ReplyCode.Match(text);
            if (!m.Success) m = LabelledReplyCode.Match(text);
            return m.Success ? m.Groups["code"].Value : null;
        }

        private static readonly TieredRegex FirstPrefix = Patterns.Make(@"(?<![\w.])(?<reply>[245]\d\d)[\- ](?<status>[245]\.\d{1,3}\.\d{1,3}\s)?", RegexOptions.CultureInvariant);

        /// <summary>A multi-line reply unfolded into one line (as in a DSN's Diagnostic-Code) still has
        /// "550-5.7.1" in the middle of its sentences: remove the repeats of the first prefix.</summary>
        public static string StripRepeatedPrefixes(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            Match first = FirstPrefix.Match(text);
            if (!first.Success) return text;
            string reply = first.Groups["reply"].Value;
            string status = first.Groups["status"].Success ? first.Groups["status"].Value.Trim() : null;
            string rest = text.Substring(first.Index + first.Length);
            return text.Substring(0, first.Index + first.Length) + RemovePrefixes(rest, reply, status);
        }

        /// <summary>Removes each whitespace-preceded "reply[- ]status\s" (or "reply[- ]" before a
        /// non-space when there is no status) and the spaces after it. Done by hand: a pattern built
        /// from each message's own codes was parsed again for almost every message.</summary>
        private static string RemovePrefixes(string rest, string reply, string status)
        {
            StringBuilder sb = null;
            int copied = 0, i = 0;
            while (i < rest.Length)
            {
                int j = rest.IndexOf(reply, i, StringComparison.Ordinal);
                if (j < 0) break;
                int end = PrefixEnd(rest, j, reply, status);
                if (end < 0) { i = j + 1; continue; }
                while (end < rest.Length && char.IsWhiteSpace(rest[end])) end++;
                (sb = sb ?? new StringBuilder(rest.Length)).Append(rest, copied, j - copied);
                copied = i = end;
            }
            if (sb == null) return rest;
            return sb.Append(rest, copied, rest.Length - copied).ToString();
        }

        // Where the prefix starting at j ends, or -1 when there is none at j.
        private static int PrefixEnd(string s, int j, string reply, string status)
        {
            if (j == 0 || !char.IsWhiteSpace(s[j - 1])) return -1;
            int k = j + reply.Length;
            if (k >= s.Length || (s[k] != '-' && s[k] != ' ')) return -1;
            k++;
            if (status == null) return k < s.Length && !char.IsWhiteSpace(s[k]) ? k : -1;
            if (string.CompareOrdinal(s, k, status, 0, status.Length) != 0 || k + status.Length > s.Length) return -1;
            k += status.Length;
            return k < s.Length && char.IsWhiteSpace(s[k]) ? k + 1 : -1;
        }

        /// <summary>Joins the lines of multi-line SMTP replies so that phrase rules see one sentence,
        /// and drops the repeated code prefixes.</summary>
        public static string JoinMultiline(IEnumerable<string> lines)
        {
            var sb = new StringBuilder();
            string openCode = null;
            foreach (string raw in lines)
            {
                string line = raw ?? string.Empty;
                Match m = ContinuationPrefix.Match(line);
                if (m.Success && openCode == m.Groups["code"].Value)
                {
                    // A further line of the same reply: keep only its text.
                    line = line.Substring(m.Length);
                }
                openCode = m.Success && m.Groups["sep"].Value == "-" ? m.Groups["code"].Value : (m.Success ? null : openCode);
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(line.Trim());
            }
            return sb.ToString().Trim();
        }
    }
}
