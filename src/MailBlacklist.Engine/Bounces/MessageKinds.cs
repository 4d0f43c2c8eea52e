using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>What kind of message this is, from its headers and words: a feedback report, a
    /// forwarded report, DSN fields in the text, an auto-reply, a list server's notice, a prose
    /// bounce or a delay warning. The readers in MessageReader.cs act on the answers.</summary>
    internal sealed partial class MessageReader
    {
        private static readonly TieredRegex BounceSender = Patterns.Make(@"mailer-daemon|post_?master|mail delivery|maildelivery|mail-daemon|mdaemon|bounce|returned|no-?reply.*(?:delivery|mail)|deliverystatus|nobody@|root@|double-bounce", Opt);
        private static readonly TieredRegex BounceSubject = Patterns.Make(@"undeliver|undelivered|delivery (?:status|failure|failed|notification|problem|report)|returned (?:mail|to sender)|failure notice|mail delivery|non-?delivery|could not be delivered|not delivered|delivery has failed|^bounced?\b|\bbounced (?:mail|message)|(?:mail|message) rejected|rejected (?:mail|message)|mail system error|warning: could not|failed mail|error sending|unzustellbar|nicht zustellbar|non remis|不達|未達|配信(?:エラー|不能|失敗)|配送(?:エラー|不能|失敗)|送信エラー|エラーメール|エラー通知|あて先不明", Opt);
        private static readonly TieredRegex BounceBody = Patterns.Make(@"could(?: not|n't) be delivered|undeliverable|delivery (?:has )?failed|permanent(?:ly)? fail|(?:was|were) not delivered|wasn't delivered|unable to deliver|delivery status notification|(?:^|\s)[45]\d\d[ \-][45]\.\d{1,3}\.\d{1,3}\s|送信できませんでした|配信できませんでした|届きませんでした|配送できませんでした|エラーメッセージ", Opt | RegexOptions.Multiline);
        private static readonly TieredRegex NullOrDaemonReturnPath = Patterns.Make(@"^\s*<\s*>\s*$|mailer-daemon|mail-daemon|postmaster@", Opt);
        private static readonly TieredRegex DelayWarning = Patterns.Make(@"has not yet been delivered|not been delivered yet|delivery attempts will continue|will continue to (?:try|attempt)|warning message only|this is (?:just )?a warning|advisory[- ]only|(?:has been|is being|was) (?:delayed|postponed|deferred)|delivery (?:is|has been) delayed|will be retried|will retry (?:for|until)|message delayed|delayed \d+ (?:hours?|days?|minutes?)|遅延", Opt);
        private static readonly TieredRegex FinalFailure = Patterns.Make(@"gave up|giving up|permanent(?:ly)? (?:fail|error)|will not be retried|has been returned|failed permanently|no further (?:delivery )?attempts", Opt);
        private static readonly TieredRegex BracketedAddress = Patterns.Make(@"<[^\s<>@]+@[^\s<>]+>", Opt);
        private static readonly TieredRegex MailingListError = Patterns.Make(@"not (?:a )?member|loop alert|duplicated message-id|rejected|error", Opt);
        private static readonly TieredRegex AutoReplySubject = Patterns.Make(@"out of (?:the )?office|^away |auto(?:matic)?[- ]?(?:reply|response|antwort|respon)|autoreply|vacation|away from|abwesen|absence|不在|自動(?:応答|返信)|^auto:", Opt);

        private static readonly TieredRegex FeedbackSubject = Patterns.Make(@"complaint about message|abuse report|spam report|feedback report", Opt);

        private bool IsFeedback() =>
            string.Equals(P.ReportType, "feedback-report", StringComparison.OrdinalIgnoreCase) || P.FeedbackReport != null
            || (FeedbackSubject.IsMatch(M.Subject ?? string.Empty) && P.ReturnedHeaders != null);

        /// <summary>Some MTAs put DSN fields into the text part instead of a delivery-status part.</summary>
        private string FieldsInText()
        {
            string text = HumanBody;
            return RecipientField.IsMatch(text) && StatusOrActionField.IsMatch(text) ? text : null;
        }

        private bool IsAutoReply()
        {
            // MTAs mark their bounces "Auto-Submitted: auto-replied" too: a bounce is never a vacation reply.
            if (BounceSender.IsMatch(M.From.ToString()) || BounceSubject.IsMatch(M.Subject ?? string.Empty) || M.Headers.Contains("X-Failed-Recipients")) return false;
            string auto = M.Headers["Auto-Submitted"] ?? string.Empty;
            if (auto.StartsWith("auto-replied", StringComparison.OrdinalIgnoreCase)) return true;
            if (M.Headers.Contains("X-Autoreply") || M.Headers.Contains("X-Autorespond") || M.Headers.Contains("X-Auto-Response-Suppress") && AutoReplySubject.IsMatch(M.Subject ?? "")) return true;
            string precedence = M.Headers["Precedence"] ?? string.Empty;
            if (precedence.IndexOf("auto_reply", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            return AutoReplySubject.IsMatch(M.Subject ?? string.Empty) && !BounceSender.IsMatch(M.From.ToString());
        }

        /// <summary>A mailing-list server's error notice (fml, ezmlm...): "you are not a member",
        /// "loop alert". It names the list, not a failed mailbox, in its first lines.</summary>
        private bool IsListNotice() =>
            (M.Headers.Contains("X-MLServer") || M.Headers.Contains("X-ML-Name"))
            && MailingListError.IsMatch((M.Subject ?? string.Empty) + "\n" + HumanText);

        private bool LooksLikeBounce()
        {
            if (M.Headers.Contains("X-Failed-Recipients")) return true;
            // A bounce travels with the null sender (Return-Path: <>) or from the daemon; a
            // "bounces-..." Return-Path is an ordinary sender's VERP address, not a bounce.
            if (BounceSender.IsMatch(M.From.ToString()) || NullOrDaemonReturnPath.IsMatch(M.Headers["Return-Path"] ?? "x")) return true;
            if (BounceSubject.IsMatch(M.Subject ?? string.Empty)) return true;
            // Words alone ("we were unable to deliver your parcel") are not enough: a mail system
            // also shows an SMTP code or the failed address in angle brackets.
            string body = HumanBody;
            if (BounceBody.IsMatch(body) && (SmtpText.FindStatus(body) != null || SmtpText.FindReplyCode(body) != null || BracketedAddress.IsMatch(body))) return true;
            return string.Equals(P.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase);
        }

        // A bounce pasted whole into the text of another one (a provider's support notice that quotes
        // the report it received): from its null Return-Path on, the text is a message of its own.
        private static readonly TieredRegex InlineBounceStart = Patterns.Make(@"^(?:From MAILER-DAEMON[^\n]*\n)?Return-Path:[ \t]*<>[ \t]*$", Opt | RegexOptions.Multiline);
        private static readonly TieredRegex InlineReportType = Patterns.Make(@"^Content-Type:[ \t]*multipart/report", Opt | RegexOptions.Multiline);

        private IReadOnlyList<BounceReason> ForwardedReport()
        {
            if (P.DeliveryStatus.Count > 0 || _c.Depth > 1) return null;
            Match m = InlineBounceStart.Match(HumanText);
            if (!m.Success) return null;
            string inner = HumanText.Substring(m.Index);
            int headerEnd = inner.IndexOf("\n\n", StringComparison.Ordinal);
            if (headerEnd < 0 || !InlineReportType.IsMatch(inner.Substring(0, headerEnd))) return null;
            var results = _parser.ParseMessage(System.Text.Encoding.UTF8.GetBytes(inner), _c.Path, _c.Number, _c.Culture, _c.Depth + 1);
            return results.Any(r => r.Reason != "NotABounce") ? results : null;
        }

        private bool? _delayWarning;

        private bool IsDelayWarning()
        {
            if (_delayWarning == null)
            {
                string text = (M.Subject ?? string.Empty) + "\n" + HumanBody;
                _delayWarning = DelayWarning.IsMatch(text) && !FinalFailure.IsMatch(HumanBody);
            }
            return _delayWarning.Value;
        }
    }
}
