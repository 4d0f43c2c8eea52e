using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using MimeKit;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>Reads one parsed message: decides what kind of message it is (feedback report,
    /// delivery report, auto-reply, prose bounce, ordinary mail) and builds the per-recipient objects.</summary>
    internal sealed class MessageReader
    {
        private const RegexOptions Opt = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        private static readonly Regex BounceSender = new Regex(@"mailer-daemon|post_?master|mail delivery|maildelivery|mail-daemon|mdaemon|bounce|returned|no-?reply.*(?:delivery|mail)|deliverystatus|nobody@|root@|double-bounce", Opt);
        private static readonly Regex BounceSubject = new Regex(@"undeliver|undelivered|delivery (?:status|failure|failed|notification|problem|report)|returned (?:mail|to sender)|failure notice|mail delivery|non-?delivery|could not be delivered|not delivered|delivery has failed|bounce|rejected|mail system error|warning: could not|failed mail|error sending|unzustellbar|nicht zustellbar|non remis|不達|未達|配信|送信エラー|エラーメール|エラー通知|あて先不明", Opt);
        private static readonly Regex BounceBody = new Regex(@"could(?: not|n't) be delivered|undeliverable|delivery (?:has )?failed|permanent(?:ly)? fail|(?:was|were) not delivered|wasn't delivered|unable to deliver|delivery status notification|(?:^|\s)[45]\d\d[ \-][45]\.\d{1,3}\.\d{1,3}\s|送信できませんでした|配信できませんでした|届きませんでした|配送できませんでした|エラーメッセージ", Opt | RegexOptions.Multiline);
        private static readonly Regex AutoReplySubject = new Regex(@"out of (?:the )?office|^away |auto(?:matic)?[- ]?(?:reply|response|antwort|respon)|autoreply|vacation|away from|abwesen|absence|不在|自動(?:応答|返信)|^auto:", Opt);
        private static readonly Regex ReceivedIp = new Regex(@"[\[(](?:IPv6:)?(?<ip>\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:]+)[\])]", Opt);

        private readonly BounceParser _parser;
        private readonly BounceParser.Context _c;

        public MessageReader(BounceParser parser, BounceParser.Context context) { _parser = parser; _c = context; }

        private MimeMessage M => _c.Message;
        private MessageParts P => _c.Parts;

        public IReadOnlyList<BounceReason> Read()
        {
            var esp = EspNotification.Read(HumanText);
            if (esp.Count > 0) return FromEsp(esp);
            if (IsFeedback()) return new[] { Feedback() };
            if (P.DeliveryStatus.Count > 0 || FieldsInText() != null)
            {
                var fromDsn = FromDeliveryStatus();
                if (fromDsn.Count > 0) return fromDsn;
            }
            if (IsAutoReply()) return new[] { Simple("Vacation", SenderAddress()) };
            if (LooksLikeBounce()) return FromText();
            return new[] { Simple("NotABounce", M.To.Mailboxes.FirstOrDefault()?.Address) };
        }

        private string HumanText => string.Join("\n", P.Texts);

        private IReadOnlyList<BounceReason> FromEsp(List<EspNotification.Entry> entries)
        {
            var results = new List<BounceReason>();
            foreach (var e in entries)
            {
                var r = new BounceReason { Path = _c.Path, MessageNumber = _c.Number, Recipient = e.Recipient, Action = e.Action, Date = DateOf() };
                if (e.Kind == "Complaint") r.Reason = "Feedback";
                if (e.Kind == "Delivery") r.Reason = "Delivered";
                string diag = DsnFields.Typed(e.Diagnostic, out string type);
                _parser.Finish(r, diag, e.Status, null, type, _c.Culture, null);
                results.Add(r);
            }
            return results;
        }

        private static readonly Regex FeedbackSubject = new Regex(@"complaint about message|abuse report|spam report|feedback report", Opt);

        private bool IsFeedback() =>
            string.Equals(P.ReportType, "feedback-report", StringComparison.OrdinalIgnoreCase) || P.FeedbackReport != null
            || (FeedbackSubject.IsMatch(M.Subject ?? string.Empty) && P.ReturnedHeaders != null);

        private BounceReason Feedback()
        {
            var fields = DsnFields.Parse(P.FeedbackReport ?? string.Empty).PerMessage;
            string rcpt = Value(fields, "Original-Rcpt-To") ?? Value(fields, "Removal-Recipient")
                ?? P.ReturnedHeaders?.Where(h => h.Field.Equals("To", StringComparison.OrdinalIgnoreCase)).Select(h => FirstAddress(h.Value)).FirstOrDefault();
            var r = Simple("Feedback", rcpt);
            r.Action = Value(fields, "Feedback-Type");
            r.IPAddress = Value(fields, "Source-IP") is string ip && Evidence.IsUsable(ip) ? ip : null;
            return r;
        }

        /// <summary>Some MTAs put DSN fields into the text part instead of a delivery-status part.</summary>
        private string FieldsInText()
        {
            string text = FreeText.CutReturnedMessage(HumanText);
            return Regex.IsMatch(text, @"^(?:Final|Original)-Recipient:", Opt | RegexOptions.Multiline) && Regex.IsMatch(text, @"^(?:Status|Action):", Opt | RegexOptions.Multiline) ? text : null;
        }

        private List<BounceReason> FromDeliveryStatus()
        {
            var results = new List<BounceReason>();
            var sources = P.DeliveryStatus.Count > 0 ? P.DeliveryStatus : new List<string> { FieldsInText() };
            string human = FreeText.CutReturnedMessage(HumanText);
            var textFindings = FreeText.Read(HumanText, Exclusions());
            foreach (string source in sources)
            {
                var dsn = DsnFields.Parse(source);
                string reporting = DsnFields.Typed(Value(dsn.PerMessage, "Reporting-MTA"), out _);
                foreach (var group in dsn.Recipients)
                {
                    string rcpt = DsnFields.Typed(Value(group, "Final-Recipient") ?? Value(group, "Original-Recipient"), out _);
                    string original = DsnFields.Typed(Value(group, "Original-Recipient"), out _);
                    // A source route (@relay:user@host), a file or a pipe is not the address the sender wrote.
                    if (!string.IsNullOrEmpty(original) && original.Contains("@") && (string.IsNullOrEmpty(rcpt) || !rcpt.Contains("@") || rcpt.StartsWith("@") || rcpt.StartsWith("/") || rcpt.StartsWith("|"))) rcpt = original;
                    rcpt = rcpt?.Trim('<', '>', ' ');
                    if (string.IsNullOrEmpty(rcpt)) continue;
                    string diag = DsnFields.Typed(Value(group, "Diagnostic-Code"), out string diagType);
                    string status = Regex.Match(Value(group, "Status") ?? string.Empty, @"[245]\.\d{1,3}\.\d{1,3}").Value;
                    string action = (Value(group, "Action") ?? string.Empty).Trim().ToLowerInvariant();
                    var r = new BounceReason
                    {
                        Path = _c.Path, MessageNumber = _c.Number, Recipient = rcpt, Action = action.Length == 0 ? null : action,
                        RemoteMta = DsnFields.Typed(Value(group, "Remote-MTA"), out _), ReportingMta = reporting,
                        Date = Value(group, "Last-Attempt-Date") ?? Value(dsn.PerMessage, "Arrival-Date") ?? DateOf(),
                    };
                    if (action == "delivered" || action == "relayed" || action == "expanded" || status.StartsWith("2.")) r.Reason = "Delivered";
                    // The text part often has the receiver's full words when the DSN's are short.
                    var finding = textFindings.FirstOrDefault(f => string.Equals(f.Recipient, rcpt, StringComparison.OrdinalIgnoreCase));
                    string extra = finding?.Diagnostic ?? (P.DeliveryStatus.Count > 0 ? human : null);
                    if (string.IsNullOrWhiteSpace(diag)) { diag = finding?.Diagnostic ?? string.Empty; }
                    _parser.Finish(r, diag, status.Length == 0 ? null : status, extra, diagType, _c.Culture, ReturnedIps(), human);
                    results.Add(r);
                }
            }
            return results;
        }

        private IReadOnlyList<BounceReason> FromText()
        {
            var results = new List<BounceReason>();
            var failed = M.Headers["X-Failed-Recipients"];
            foreach (var f in FreeText.Read(HumanText, Exclusions()))
            {
                string rcpt = f.Recipient ?? FirstAddress(failed) ?? ReturnedTo();
                var r = new BounceReason { Path = _c.Path, MessageNumber = _c.Number, Recipient = rcpt, Action = "failed", Date = DateOf() };
                _parser.Finish(r, f.Diagnostic, null, null, null, _c.Culture, ReturnedIps(), FreeText.CutReturnedMessage(HumanText));
                results.Add(r);
            }
            return results;
        }

        private BounceReason Simple(string reason, string recipient)
        {
            var r = new BounceReason { Path = _c.Path, MessageNumber = _c.Number, Recipient = recipient, Reason = reason, Date = DateOf() };
            _parser.Finish(r, Summary(), null, null, null, _c.Culture, null);
            // Codes quoted in an ordinary mail are not the receiver's verdict.
            r.Status = reason == "Delivered" ? r.Status : null;
            r.ReplyCode = null;
            return r;
        }

        private string Summary() => Classifier.Normalize(M.Subject ?? string.Empty);

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

        private bool LooksLikeBounce()
        {
            if (M.Headers.Contains("X-Failed-Recipients")) return true;
            if (BounceSender.IsMatch(M.From.ToString()) || BounceSender.IsMatch(M.Headers["Return-Path"] ?? "x")) return true;
            if (BounceSubject.IsMatch(M.Subject ?? string.Empty)) return true;
            if (BounceBody.IsMatch(FreeText.CutReturnedMessage(HumanText))) return true;
            return string.Equals(P.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase);
        }

        private ICollection<string> Exclusions() =>
            M.From.Mailboxes.Concat(M.To.Mailboxes).Select(m => m.Address).Where(a => a != null).ToList();

        private string SenderAddress() => M.From.Mailboxes.FirstOrDefault()?.Address;

        private string ReturnedTo() =>
            P.ReturnedHeaders?.Where(h => h.Field.Equals("To", StringComparison.OrdinalIgnoreCase)).Select(h => FirstAddress(h.Value)).FirstOrDefault();

        /// <summary>Public addresses in the returned message's Received headers, nearest to the
        /// sender's own server first (the server whose address the receiver judged).</summary>
        private IEnumerable<string> ReturnedIps()
        {
            if (P.ReturnedHeaders == null) return Enumerable.Empty<string>();
            return P.ReturnedHeaders.Where(h => h.Field.Equals("Received", StringComparison.OrdinalIgnoreCase))
                .SelectMany(h => ReceivedIp.Matches(h.Value).Cast<Match>().Select(m => m.Groups["ip"].Value))
                .Where(Evidence.IsUsable).ToList();
        }

        private string DateOf() => M.Headers["Date"];

        private static string Value(Dictionary<string, string> fields, string name) =>
            fields.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        private static string FirstAddress(string text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            return InternetAddressList.TryParse(text, out var list) ? list.Mailboxes.FirstOrDefault()?.Address : FreeText.AnyAddress(text);
        }
    }
}
