using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>Turns the receiver's words and codes into a reason, using BounceRules. Order:
    /// a phrase rule (the words are the most specific evidence), then a status code that names one
    /// exact condition, then the status code table, then its class, then the SMTP command a permanent
    /// refusal answered, then the reply code.</summary>
    public sealed class Classifier
    {
        private readonly BounceRules _rules;

        public Classifier(BounceRules rules) { _rules = rules; }

        /// <param name="wrapper">The reporting MTA's words around the receiver's reply, if any: only
        /// rules marked "whole" (they describe which command failed) are matched against it.</param>
        public string Classify(string diagnostic, string status, string replyCode, string action, string wrapper = null, string command = null)
        {
            string text = Normalize(diagnostic);
            if (status != null && status.StartsWith("2.")) return "Delivered";

            string byPhrase = MatchPhrase(text) ?? MatchPhrase(Normalize(wrapper), wholeOnly: true);
            string byStatus = status != null && _rules.StatusCodes.TryGetValue(status, out var s) ? s : null;

            // A status code that names one exact condition (5.1.1, 5.2.2, 5.1.6 ...) beats the words,
            // except for the few reasons whose words are unmistakable (phraseBeatsStatus).
            // Words of the same family as the status (a size limit reported with 5.2.3) leave the
            // status's finer name.
            if (byStatus != null && _rules.StrongStatusCodes.Contains(status)
                && (!_rules.PhraseBeatsStatus.Contains(byPhrase) || _rules.SameFamily(byPhrase, byStatus)))
                return byStatus;
            if (byPhrase != null) return byPhrase;
            if (byStatus != null) return byStatus;
            if (status != null && status.Length >= 3 && _rules.StatusClasses.TryGetValue(status.Substring(0, 3), out var c)) return c;
            // Neither words nor status say why: a permanent refusal still tells by the command it
            // answered (an address refused at RCPT, the sender at MAIL, the host at the greeting).
            bool permanent = (status ?? replyCode ?? string.Empty).StartsWith("5");
            if (permanent && command != null && _rules.CommandReasons.TryGetValue(command, out var byCommand)) return byCommand;
            if (replyCode != null && _rules.ReplyCodes.TryGetValue(replyCode, out var r)) return r;
            if (action != null && action.StartsWith("delay", System.StringComparison.OrdinalIgnoreCase)) return "Expired";
            return string.IsNullOrWhiteSpace(text) ? "Undefined" : "OnHold";
        }

        /// <summary>The first phrase rule that matches, or null.</summary>
        public string MatchPhrase(string text, bool wholeOnly = false)
        {
            if (string.IsNullOrEmpty(text)) return null;
            var recent = _recent ?? (_recent = new RecentAnswers());
            if (recent.TryGet(this, text, wholeOnly ? 1 : 0, out string known)) return known;
            string answer = FirstPhrase(text, wholeOnly);
            recent.Add(this, text, wholeOnly ? 1 : 0, answer);
            return answer;
        }

        // The same text is asked about several times per message (Finish, then Classify).
        [System.ThreadStatic] private static RecentAnswers _recent;

        private string FirstPhrase(string text, bool wholeOnly)
        {
            foreach (var rule in _rules.Rules)
            {
                if (wholeOnly && !rule.Whole) continue;
                try { if (rule.Regex.IsMatch(text)) return rule.Reason; }
                catch (RegexMatchTimeoutException) { }
            }
            return null;
        }

        /// <summary>Every run of white space becomes one space, and the ends are trimmed. By hand
        /// rather than with Regex.Replace(@"\s+"): it runs several times per recipient, and the
        /// regex's \s ([\f\n\r\t\v\x85\p{Z}]) is exactly char.IsWhiteSpace.</summary>
        public static string Normalize(string text)
        {
            if (text == null) return string.Empty;
            int i = 0;
            // Already normal (single spaces between words) is the common case: no copy.
            for (; i < text.Length; i++)
            {
                char c = text[i];
                if (!char.IsWhiteSpace(c)) continue;
                if (c != ' ' || i == 0 || i == text.Length - 1 || char.IsWhiteSpace(text[i + 1])) break;
            }
            if (i == text.Length) return text;
            var sb = new System.Text.StringBuilder(text.Length);
            bool space = false;
            foreach (char c in text)
            {
                if (char.IsWhiteSpace(c)) { space = true; continue; }
                if (space && sb.Length > 0) sb.Append(' ');
                space = false;
                sb.Append(c);
            }
            return sb.ToString();
        }
    }
}
