using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Dnsbl;
using MimeKit;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>Reads one message (or one pasted SMTP reply) and returns one BounceReason per failed
    /// recipient. RFC 3464 reports are read from their delivery-status fields; everything else from
    /// the human-readable text (FreeText). Messages that are not bounces come back as one object whose
    /// Reason says what they are (Vacation, Feedback, Delivered, NotABounce).</summary>
    public sealed class BounceParser
    {
        private readonly BounceRules _rules;
        private readonly Classifier _classifier;

        static BounceParser()
        {
            // ISO-2022-JP, Shift_JIS, EUC-JP and friends are not in .NET Core's default encodings
            // (.NET Framework has them all built in).
#if NETCOREAPP
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
#endif
            // Only after the line above: MimeKit learns the available charsets when first used.
            MimeOptions = new ParserOptions { CharsetEncoding = Encoding.UTF8 };
        }

        // Built once: MimeKit only reads it, and building one per message showed in profiles. Every
        // MimeKit read in the engine uses it, so the code pages are registered before MimeKit's
        // first use whichever cmdlet runs first.
        internal static readonly ParserOptions MimeOptions;

        public BounceParser(BounceRules rules = null)
        {
            _rules = rules ?? BounceRules.Default;
            _classifier = new Classifier(_rules);
        }

        public BounceRules Rules => _rules;

        /// <summary>All messages of one file's content (an mbox holds several).</summary>
        public IEnumerable<BounceReason> ParseFile(byte[] data, string path, CultureInfo culture)
        {
            CheckReadable(data, path);
            data = MailSource.NormalizeLineEndings(data);
            var messages = MailSource.SplitMbox(data);
            // Only "From " separator lines: no message to read, but the file still gets an answer.
            if (messages.Count == 0) throw new BounceInputException("EmptyInput", "Error_NoMessage", path);
            for (int i = 0; i < messages.Count; i++)
                foreach (var r in ParseMessage(messages[i], path, i + 1, culture)) yield return r;
        }

        /// <summary>Text given with -Message: a whole message or only the lines of an SMTP reply.</summary>
        public IReadOnlyList<BounceReason> ParseText(string text, CultureInfo culture)
        {
            if (string.IsNullOrWhiteSpace(text)) throw new BounceInputException("EmptyInput", "Error_EmptyMessage");
            if (text.Length > MailSource.MaxFileBytes) throw new BounceInputException("InputTooLarge", "Error_TooLargeText", text.Length / 1024 / 1024, MailSource.MaxFileBytes / 1024 / 1024);
            text = text.Replace("\r\n", "\n").Replace('\r', '\n');
            if (LooksLikeHeaders(text))
                return ParseMessage(Encoding.UTF8.GetBytes(text), null, 1, culture).ToList();
            if (!LooksLikeSmtpText(text)) throw new BounceInputException("NotAMessage", "Error_NotAMessageText");
            return new[] { FromPlainText(text, null, 1, culture) };
        }

        /// <summary>Text without mail headers is only worth reading if it says something a receiver
        /// would: an SMTP code or words one of the rules knows.</summary>
        private bool LooksLikeSmtpText(string text) => LooksLikeReply(LogLine.Read(text, out _, out _));

        private bool LooksLikeReply(string text) =>
            SmtpText.FindReplyCode(text) != null || SmtpText.FindStatus(text) != null || _classifier.MatchPhrase(Classifier.Normalize(text)) != null;

        private static void CheckReadable(byte[] data, string path)
        {
            if (data == null || data.Length == 0 || OnlyWhiteSpace(data))
                throw new BounceInputException("EmptyInput", "Error_EmptyFile", path);
            // Mail is text: many NUL or other control bytes near the start mean a binary file. A stray
            // NUL is tolerated: real bounces sometimes carry one from a broken gateway.
            int n = Math.Min(data.Length, 8192), control = 0, nul = 0;
            for (int i = 0; i < n; i++)
            {
                byte b = data[i];
                if (b == 0) nul++;
                else if (b < 0x20 && b != '\t' && b != '\r' && b != '\n' && b != 0x1B && b != '\f') control++;
            }
            if (nul > 4 + n / 1000 || control + nul > n / 20) throw new BounceInputException("BinaryInput", "Error_Binary", path);
        }

        private static bool OnlyWhiteSpace(byte[] data)
        {
            foreach (byte b in data)
                if (b != ' ' && b != '\t' && b != '\r' && b != '\n') return false;
            return true;
        }

        private static readonly TieredRegex HeaderLine = Patterns.Make(@"^(?:From |[!-9;-~]+:)", RegexOptions.CultureInvariant);
        private static readonly TieredRegex ReplyLine = Patterns.Make(@"^\d{3}[ -]", RegexOptions.None);
        private static readonly TieredRegex LocalDeliveryType = Patterns.Make("^x-(?:unix|postfix)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private static readonly TieredRegex FieldLine = Patterns.Make(@"^[A-Za-z][A-Za-z0-9\-]*:(?:[ \t]|$)", RegexOptions.CultureInvariant);

        /// <summary>A message starts with a "From " line or at least two header fields (a folded
        /// line counts): a single "Error: 554 ..." or a log line ("NOQUEUE: reject: ...",
        /// "2024-01-10T10:00:00 host ...") is a pasted reply, not headers.</summary>
        private static bool LooksLikeHeaders(string text)
        {
            string[] lines = text.TrimStart('\n').Split('\n');
            if (lines[0].StartsWith("From ", StringComparison.Ordinal)) return true;
            if (!FieldLine.IsMatch(lines[0]) || ReplyLine.IsMatch(lines[0])) return false;
            return lines.Length > 1 && (FieldLine.IsMatch(lines[1]) || (lines[1].Length > 0 && (lines[1][0] == ' ' || lines[1][0] == '\t') && lines.Length > 2 && FieldLine.IsMatch(lines[2])));
        }

        public IReadOnlyList<BounceReason> ParseMessage(byte[] raw, string path, int number, CultureInfo culture) =>
            ParseMessage(raw, path, number, culture, 0);

        internal IReadOnlyList<BounceReason> ParseMessage(byte[] raw, string path, int number, CultureInfo culture, int depth)
        {
            string firstLine = Encoding.ASCII.GetString(raw, 0, Math.Min(raw.Length, 1000)).TrimStart('\n').Split('\n')[0];
            if (!HeaderLine.IsMatch(firstLine))
            {
                // Not a message: a text file holding only the error lines, as pasted from a mail client.
                string text = Decode(raw);
                if (!LooksLikeSmtpText(text))
                    throw new BounceInputException("NotAMessage", "Error_NotAMessage", path);
                return new[] { FromPlainText(text, path, number, culture) };
            }

            MimeMessage message;
            try
            {
                // Persistent: each part's content stays a view of raw, read when it is decoded,
                // instead of being copied into memory blocks first. The stream is never disposed
                // (a MemoryStream over an array holds nothing else), so the views stay readable.
                message = Load(raw);
            }
            catch (Exception ex) when (ex is FormatException || ex is ParseException || ex is IOException)
            {
                throw new BounceInputException("NotAMessage", "Error_NotAMessage", path);
            }
            if (message.Headers.Count == 0) throw new BounceInputException("NotAMessage", "Error_NotAMessage", path);

            var parts = MessageParts.Collect(message);
            var context = new Context { Path = path, Number = number, Culture = culture, Message = message, Parts = parts, Depth = depth };
            var results = Neutralized(new MessageReader(this, context).Read());
            // What the diagnosis needs of the sender, read while the message is at hand.
            if (depth == 0) SenderFacts.Attach(results, message, raw);
            return results;
        }

        // One MIME parser per worker thread, reset for each message: a new parser per message
        // allocates its read buffers again, which showed as a large share of the garbage (and GC
        // time) per bounce. SetStream starts it afresh, as MimeMessage.Load would.
        [ThreadStatic] private static MimeParser _mimeParser;
        [ThreadStatic] private static MemoryStream _noStream;

        private static MimeMessage Load(byte[] raw)
        {
            var empty = _noStream ?? (_noStream = new MemoryStream(new byte[0], false));
            var parser = _mimeParser ?? (_mimeParser = new MimeParser(MimeOptions, empty, MimeFormat.Entity, persistent: true));
            parser.SetStream(new MemoryStream(raw, false), MimeFormat.Entity, persistent: true);
            try { return parser.ParseMessage(); }
            // The parser is kept for the thread: it must not keep this message's bytes alive.
            finally { parser.SetStream(empty, MimeFormat.Entity, persistent: true); }
        }

        private static string Decode(byte[] raw)
        {
            try { return new UTF8Encoding(false, true).GetString(raw); }
            catch (DecoderFallbackException) { return Encoding.GetEncoding("shift_jis").GetString(raw); }
        }

        private BounceReason FromPlainText(string text, string path, int number, CultureInfo culture)
        {
            // A pasted MTA log line states the code (dsn=5.1.1) and whether delivery was deferred.
            text = LogLine.Read(text, out string logStatus, out string logAction);
            string diag = SmtpText.JoinMultiline(text.Split('\n').Where(l => l.Trim().Length > 0));
            var r = new BounceReason { Path = path, MessageNumber = number, Recipient = PastedRecipient(text), Action = logAction };
            Finish(r, diag, logStatus, null, null, culture, null);
            return Neutralized(new[] { r })[0];
        }

        // MTA log lines name the recipient: Postfix "to=<x>", Exim "rejected RCPT <x>", Sendmail
        // "... <x>... User unknown"; the envelope sender (from=<>, F=<>) is not a recipient.
        private static readonly TieredRegex LogRecipient = Patterns.Make(@"\bto=<(?<a>[^<>\s]+@[^<>\s]+)>|\brejected rcpt:? <(?<a>[^<>\s]+@[^<>\s]+)>|\bRCPT TO:\s*<(?<a>[^<>\s]+@[^<>\s]+)>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly TieredRegex SenderField = Patterns.Make(@"\b(?:from|F)=<[^<>]*>", RegexOptions.CultureInvariant);

        private static string PastedRecipient(string text)
        {
            Match m = LogRecipient.Match(text);
            if (m.Success) return m.Groups["a"].Value;
            return FreeText.AnyAddress(SenderField.Replace(text, " "));
        }

        /// <summary>Every string a BounceReason takes from the message (DSN fields, headers, ESP JSON,
        /// the receiver's words) is the sender's or an attacker's text: control characters are
        /// neutralized here, once, after every reader has finished the object (some set fields after
        /// <see cref="Finish"/>, such as a feedback report's Action), so that none reaches a console
        /// or a CSV line raw. Path is the caller's own input and Reason, Cause and Fix are ours.</summary>
        private static IReadOnlyList<BounceReason> Neutralized(IReadOnlyList<BounceReason> results)
        {
            foreach (var r in results)
            {
                // Recipient, the MTAs and the text have always been strings, never null.
                r.Recipient = SafeText.Neutralize(r.Recipient);
                r.RemoteMta = SafeText.Neutralize(r.RemoteMta);
                r.ReportingMta = SafeText.Neutralize(r.ReportingMta);
                r.DiagnosticText = SafeText.Neutralize(r.DiagnosticText);
                r.Status = NeutralizeOrNull(r.Status);
                r.ReplyCode = NeutralizeOrNull(r.ReplyCode);
                r.Action = NeutralizeOrNull(r.Action);
                r.Date = NeutralizeOrNull(r.Date);
                r.IPAddress = NeutralizeOrNull(r.IPAddress);
                r.Blocklist = NeutralizeOrNull(r.Blocklist);
                r.ProviderCode = NeutralizeOrNull(r.ProviderCode);
                r.Url = NeutralizeOrNull(r.Url);
            }
            return results;
        }

        private static string NeutralizeOrNull(string text) => text == null ? null : SafeText.Neutralize(text);

        internal sealed class Context
        {
            public string Path;
            public int Number;
            public CultureInfo Culture;
            public MimeMessage Message;
            public MessageParts Parts;
            /// <summary>How many forwarded reports deep this message is (a guard against loops).</summary>
            public int Depth;
        }

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

        internal Classifier Classifier => _classifier;
    }
}
