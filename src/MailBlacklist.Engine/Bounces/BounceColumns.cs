using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>The columns every reader leaves to one place: status and reply code, the SMTP
    /// command, the reason (words, codes, overrides), hard or soft, the evidence, and the
    /// localized cause and fix.</summary>
    public sealed partial class BounceParser
    {
        private static readonly TieredRegex LocalDeliveryType = Patterns.Make("^x-(?:unix|postfix)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>Fills the derived columns: status and reply code (from the text when the report
        /// has none), reason, hard or soft, evidence, and the localized cause and fix.</summary>
        internal void Finish(BounceReason r, string diagnostic, string status, string extraText, string diagnosticType, CultureInfo culture, IEnumerable<string> receivedIps, string commandText = null)
        {
            diagnostic = SmtpText.StripRepeatedPrefixes(Classifier.Normalize(diagnostic));
            string textStatus = SmtpText.FindStatus(diagnostic);
            string replied = SmtpText.FindRepliedStatus(diagnostic);
            // The receiver's own reply ("550 5.2.2 ...") is more exact than the reporting MTA's summary.
            if (replied != null && !replied.EndsWith(".0.0")) status = replied;
            else if (string.IsNullOrEmpty(status) || (status.EndsWith(".0.0") && textStatus != null && !textStatus.EndsWith(".0.0")))
                status = textStatus ?? status;
            r.Status = string.IsNullOrEmpty(status) ? null : status;
            r.ReplyCode = r.ReplyCode ?? SmtpText.FindReplyCode(diagnostic);

            if (r.Reason == null)
            {
                // When the receiver's own reply ("550 5.7.1 ...") is quoted inside the reporting
                // MTA's words ("Unknown address error", "rejected by the recipient domain"), the
                // reply is the evidence: classify on it alone.
                string receiverText = SmtpText.ReceiverReply(diagnostic) ?? diagnostic;
                string reason = null;
                r.Command = _rules.FindCommand(diagnostic, extraText, commandText);
                // X-Unix / X-Postfix mark the MTA's own local delivery errors, unless the text quotes
                // a remote server's reply ("host x said: 550 ...").
                if (diagnosticType != null && LocalDeliveryType.IsMatch(diagnosticType)
                    && _classifier.MatchPhrase(receiverText) == null && !QuotesRemoteReply.IsMatch(diagnostic))
                    reason = "MailerError";
                if (reason == null && receiverText == diagnostic && _classifier.MatchPhrase(diagnostic) == null && !string.IsNullOrEmpty(extraText))
                {
                    // The report's own diagnostic says little: the human-readable part may say more.
                    string byExtra = _classifier.MatchPhrase(Classifier.Normalize(extraText));
                    if (byExtra != null && !IsWeakerThanStatus(byExtra, r.Status)) reason = byExtra;
                }
                reason = reason ?? _classifier.Classify(receiverText, r.Status, r.ReplyCode, r.Action, receiverText == diagnostic ? null : diagnostic, r.Command);
                r.Reason = _rules.ApplyOverrides(reason, r.Status, r.Command, diagnostic, r.Action, r.ReplyCode);
            }
            else r.Command = r.Command ?? _rules.FindCommand(diagnostic, extraText, commandText);
            // A delay notice is not a failure: nothing is lost yet.
            // No code in the message: the RFC 3463 code of the reason, permanent unless delayed.
            string detail = null;
            foreach (var w in _rules.StatusWordRegexes)
            {
                try { if (r.Status == null && w.Value.IsMatch(diagnostic)) { detail = w.Key; break; } }
                catch (RegexMatchTimeoutException) { }
            }
            if (r.Status == null && r.Reason != null && (detail != null || _rules.ReasonStatus.TryGetValue(r.Reason, out detail)))
                r.Status = (string.Equals(r.Action, "delayed", StringComparison.OrdinalIgnoreCase) || (r.ReplyCode ?? "").StartsWith("4") ? "4." : "5.") + detail;
            r.HardBounce = _rules.IsHard(r.Reason) && !string.Equals(r.Action, "delayed", StringComparison.OrdinalIgnoreCase);
            r.DiagnosticText = diagnostic;

            var evidence = Evidence.Find(diagnostic + " " + (extraText ?? string.Empty), _rules.Evidence, AboutSendingAddress.Contains(r.Reason));
            // The returned message's Received headers are only a hint (they may show the sender's PC
            // rather than the server): use them only when the reason is about the sending address.
            if (AboutSendingAddress.Contains(r.Reason))
                foreach (string ip in receivedIps ?? Enumerable.Empty<string>()) evidence.SetAddressIfMissing(ip);
            r.IPAddress = evidence.IPAddress;
            r.Blocklist = evidence.Blocklist;
            r.ProviderCode = evidence.ProviderCode;
            r.Url = evidence.Url;
            // A delay warning that names no cause is a Delayed notice. One whose words say it is still
            // being retried keeps the reason those words have in the shared vocabulary (sisimai calls
            // them Expired) but explains itself as a delay: nothing has been given up yet.
            string texts = r.Reason;
            if (string.Equals(r.Action, "delayed", StringComparison.OrdinalIgnoreCase))
            {
                if (r.Reason == "OnHold" || r.Reason == "Undefined") r.Reason = "Delayed";
                if (r.Reason == "Delayed" || r.Reason == "Expired") texts = "Delayed";
            }
            r.Cause = Messages.Get("Cause_" + texts, culture);
            // Microsoft's own lists have their own removal path, not "request removal on the list's page".
            string fixTexts = r.Reason == "Blocked" || r.Reason == "BadReputation" ? _rules.FixForProviderCode(r.ProviderCode) : null;
            r.Fix = Messages.Get("Fix_" + (fixTexts ?? texts), culture);
        }

        private static readonly TieredRegex QuotesRemoteReply = Patterns.Make(@"\bsaid:\s*[245]\d\d\b|\bhost \S+ said\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private static readonly HashSet<string> AboutSendingAddress = new HashSet<string>
            { "Blocked", "BadReputation", "RequirePtr", "TooManyConn", "Speeding", "ReceiverDnsblError" };

        private bool IsWeakerThanStatus(string byText, string status) =>
            status != null && _rules.StrongStatusCodes.Contains(status) && _rules.StatusCodes.TryGetValue(status, out var s) && s != byText;
    }
}
