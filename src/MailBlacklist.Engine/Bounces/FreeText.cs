using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>Reads bounces written as prose (qmail, Exim, Postfix's text part, Exchange, Japanese
    /// carriers...): finds the failed recipients and the receiver's words about each of them.</summary>
    public static class FreeText
    {
        private const RegexOptions Opt = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        private const string Addr = @"(?>[^\s<>()\[\]@,;:""']+@[a-z0-9][a-z0-9.\-]*[a-z0-9]|""[^""\n]+""@[a-z0-9][a-z0-9.\-]*[a-z0-9])";

        // Where the returned copy of the original message begins: nothing below is the receiver's.
        private static readonly TieredRegex CutMarker = Patterns.Make(
            @"^(?:\s*(?:-{2,}.*?(?:original message|returned message|copy of the message|this is a copy|below this line|undelivered message|message headers|original message header|headers of the original|returned mail|unsent message|message follows|元のメッセージ|送信メール|原文|original mail)" +
            @"|content-type:\s*(?:message/rfc822|text/rfc822-headers)" +
            @"|-{2,}\s*(?:original|returned|headers|message)\b" +
            @"|original message headers:?\s*$" +
            @"|\*\* ?original message)" +
            // A returned message's header starts at the left margin; an indented "Message-id:" is
            // the notice quoting the original's fields above its verdict (Oracle Messaging Server).
            @"|(?:return-path|received|message-id|dkim-signature|x-mailer|mime-version):\s)",
            Opt | RegexOptions.Multiline);

        // An address may open the line after a reply code or a quoting "> " (MDaemon lists them so).
        private static readonly TieredRegex LeadingAddress = Patterns.Make(@"^\s*(?:>\s?)?(?:[45]\d\d[ \-]+)?(?:<(?<a>" + Addr + @")>|""(?<a>" + Addr + @")""|(?<a>" + Addr + @"))(?=$|[\s:;,.()\[\]<>""'])", Opt);
        private static readonly TieredRegex PhraseThenAddress = Patterns.Make(@"^\s*(?:[245]\d\d[ \-]+)?(?![245]\.\d)[^<>:\s\d][^<>:\n]{0,80}<(?<a>" + Addr + @")>(?=\s*:)", Opt);

        private static int LeadLength(string line)
        {
            Match m = PhraseThenAddress.Match(line);
            return m.Success ? m.Length : LeadingAddress.Match(line).Length;
        }

        private static readonly TieredRegex KeywordAddress = Patterns.Make(
            @"(?:rcpt to:\s*|unknown (?:user|recipient|address|mailbox):\s*|recipient(?:\(s\))?:?\s*|recipient address:?\s*|failed recipients?:?\s*|to:\s*|address:?\s*|宛先\s*[:：]?\s*|for\s+|delivery to\s+|message to\s+|delivered to:?\s*|following (?:address|recipient)e?s?[^\n]*\n\s*)<?(?<a>" + Addr + ")>?", Opt);
        private static readonly TieredRegex BareNameList = Patterns.Make(@"following (?:recipients?|addresses)\b[^\n]*:[ \t]*\r?\n(?<names>(?:[ \t]+[a-z0-9][a-z0-9._+\-]*[ \t]*(?:\r?\n|$))+)", Opt);
        private static readonly TieredRegex TranscriptStart = Patterns.Make(@"^\s*(?:\.\.\.\s*)?while talking to\b", Opt);
        private static readonly TieredRegex TranscriptLine = Patterns.Make(@"^\s*(?:>>>|<<<|(?:\.\.\.\s*)?while talking to\b)", Opt);
        private static readonly TieredRegex X400Smtp = Patterns.Make(@"^[ \t]*(?:[a-z]{1,4}=[^;\n]*;[ \t]*)+dda:smtp=", Opt | RegexOptions.Multiline);
        private static readonly TieredRegex AnyAddr = Patterns.Make("(?<a>" + Addr + ")", Opt);
        private static readonly TieredRegex CodeLine = Patterns.Make(@"(?:^|[\s:;(])(?:[245]\d\d[ \-]|[245]\.\d{1,3}\.\d{1,3}\b)", Opt);

        // The same body is cut several times while one message is read: remember the last one
        // (per thread, since files are read in parallel).
        [ThreadStatic] private static string _lastCutInput, _lastCutOutput;

        public static string CutReturnedMessage(string text)
        {
            if (text != null && ReferenceEquals(text, _lastCutInput)) return _lastCutOutput;
            string cut = Cut(text);
            _lastCutInput = text;
            _lastCutOutput = cut;
            return cut;
        }

        private static string Cut(string text)
        {
            Match m = CutMarker.Match(text ?? string.Empty);
            // Ignore a marker on the very first lines: some bounces start with a header-like line.
            while (m.Success && m.Index < 20) m = m.NextMatch();
            return m.Success ? text.Substring(0, m.Index) : text ?? string.Empty;
        }

        private static readonly TieredRegex HeaderStart = Patterns.Make(@"^[A-Za-z][A-Za-z0-9\-]*:[ \t]", RegexOptions.CultureInvariant);

        /// <summary>The returned message when the notice quotes it inline as text (Lotus Notes'
        /// "------- Returned Message --------", old Sendmail's "----- Unsent message follows -----"),
        /// from its first header line on; null when the notice has no such marker.</summary>
        public static string InlineReturnedMessage(string text)
        {
            Match m = CutMarker.Match(text ?? string.Empty);
            while (m.Success && m.Index < 20) m = m.NextMatch();
            if (!m.Success) return null;
            string rest = text.Substring(m.Index).TrimStart(' ', '\t');
            // The separator line itself is not part of the message.
            if (!HeaderStart.IsMatch(rest)) { int nl = rest.IndexOf('\n'); rest = nl < 0 ? string.Empty : rest.Substring(nl + 1); }
            return rest.TrimStart('\n');
        }

        public static string AnyAddress(string text)
        {
            Match m = AnyAddr.Match(text ?? string.Empty);
            return m.Success ? m.Groups["a"].Value : null;
        }

        public sealed class Finding
        {
            public string Recipient;
            public string Diagnostic;
            /// <summary>The text is the whole notice, not words tied to this recipient.</summary>
            public bool Generic;
        }

        /// <summary>Recipients and their diagnostic text. exclude: addresses that are not recipients
        /// (the bounce's own sender and the original sender it is addressed to).</summary>
        public static List<Finding> Read(string text, ICollection<string> exclude)
        {
            string body = CutReturnedMessage(text);
            // Old Exchange names a recipient by its X.400 address: "c=US;a= ;p=Org;o=Site;dda:SMTP=user@host;".
            body = X400Smtp.Replace(body, string.Empty);
            string[] lines = body.Split('\n');
            var found = new List<Finding>();

            // 1. Lines that begin with the address: "<a@b>: host x said: ...", "a@b\n  SMTP error ...".
            var starts = new List<(int line, string addr)>();
            for (int i = 0; i < lines.Length; i++)
            {
                // "name <a@b>: ..." (Exim quotes the whole To item): the address is the bracketed one.
                Match m = PhraseThenAddress.Match(lines[i]);
                if (!m.Success) m = LeadingAddress.Match(lines[i]);
                if (!m.Success) continue;
                string a = Clean(m.Groups["a"].Value);
                // An address opening a line is the bounce's own layout: trust it even when it equals
                // the bounce's From or To (a sender writing to itself), but never a daemon's address.
                if (Excluded(a, null)) continue;
                if (starts.Count > 0 && Same(starts[starts.Count - 1].addr, a) && i - starts[starts.Count - 1].line < 6) continue;
                starts.Add((i, a));
            }
            for (int k = 0; k < starts.Count; k++)
            {
                int from = starts[k].line, to = k + 1 < starts.Count ? starts[k + 1].line : lines.Length;
                var block = new List<string>();
                bool content = false;
                int blank = 0;
                for (int i = from; i < to && block.Count < 20; i++)
                {
                    string line = i == from ? lines[i].Substring(LeadLength(lines[i])).TrimStart(' ', ':', '.', '>') : lines[i];
                    // A sendmail transcript starts a new session here: its lines belong to the next address.
                    if (i > from && TranscriptStart.IsMatch(line)) break;
                    if (line.Trim().Length == 0)
                    {
                        // The address stood alone, followed by a blank line: see below.
                        if (!content && i > from) break;
                        // A blank line ends the block once it has said something (paragraph style).
                        if (content && ++blank >= 1 && HasCode(block)) break;
                        if (content && blank >= 2) break;
                        continue;
                    }
                    blank = 0;
                    content = true;
                    block.Add(line);
                }
                if (!content)
                {
                    // The address stood alone: the words follow in the next paragraph...
                    for (int i = from + 1; i < to && block.Count < 8; i++)
                    {
                        if (lines[i].Trim().Length == 0)
                        {
                            // "For the following reason:" only leads in to the next paragraph.
                            if (block.Count > 0 && !block[block.Count - 1].TrimEnd().EndsWith(":")) break;
                            continue;
                        }
                        block.Add(lines[i]);
                    }
                    // ...or came just before it (Lotus Notes, au: the reason, then the address), as
                    // a whole paragraph: "not delivered within 0 days and 1 hours. / Remote host is
                    // not responding." is one reason on two lines.
                    for (int i = from - 1; i >= 0 && from - i <= 6; i--)
                    {
                        if (lines[i].Trim().Length == 0) { if (block.Count > 0 || i < from - 1) break; continue; }
                        if (!lines[i].TrimStart().StartsWith("-")) block.Insert(0, lines[i]);
                    }
                }
                // The commands just before the address in a transcript (">>> RCPT To:<...>", "<<< 550 ...")
                // tell what the reply answered.
                for (int i = from - 1; i >= 0 && from - i <= 3 && TranscriptLine.IsMatch(lines[i]); i--) block.Insert(0, lines[i]);
                var existing = found.FirstOrDefault(f => Same(f.Recipient, starts[k].addr));
                string diag = Diagnostic(block);
                // A list of addresses under one error line ("Could not be delivered because of
                // 550 5.1.1 User unknown / The following recipients were affected: ..."): when the
                // address's own paragraph has no code, the message's coded line is the reason.
                if (!content && !HasCode(block) && HasCode(lines.ToList())) diag = Diagnostic(lines.ToList());
                if (existing != null)
                {
                    // Listed twice (a summary, then details): keep the text that quotes the receiver's reply.
                    if (string.IsNullOrEmpty(existing.Diagnostic) || (SmtpText.FindRepliedStatus(existing.Diagnostic) == null && SmtpText.FindRepliedStatus(diag) != null))
                        existing.Diagnostic = diag;
                    continue;
                }
                found.Add(new Finding { Recipient = starts[k].addr, Diagnostic = diag });
            }
            if (found.Count > 0) return found;

            // 1b. Bare mailbox names listed under the heading, as AOL writes them ("...could not be
            // delivered because they are not accepting mail from x@y:" then a tab and "screenname"):
            // local parts of the reporting domain, which the caller adds. The address in the heading
            // is the sender's.
            Match bare = BareNameList.Match(body);
            if (bare.Success)
            {
                string words = Diagnostic(lines.ToList());
                foreach (string name in bare.Groups["names"].Value.Split('\n').Select(n => n.Trim()).Where(n => n.Length > 0))
                    found.Add(new Finding { Recipient = name, Diagnostic = words, Generic = true });
                return found;
            }

            // 2. An address after a keyword ("RCPT TO:", "Recipient:", "宛先:").
            string diagnostic = Diagnostic(lines.ToList());
            foreach (Match m in KeywordAddress.Matches(body))
            {
                string a = Clean(m.Groups["a"].Value);
                if (Excluded(a, exclude) || found.Any(f => Same(f.Recipient, a))) continue;
                found.Add(new Finding { Recipient = a, Diagnostic = diagnostic, Generic = true });
            }
            if (found.Count > 0) return found;

            // 3. Any address in the receiver's text.
            foreach (Match m in AnyAddr.Matches(body))
            {
                string a = Clean(m.Groups["a"].Value);
                if (Excluded(a, exclude)) continue;
                found.Add(new Finding { Recipient = a, Diagnostic = diagnostic, Generic = true });
                break;
            }
            if (found.Count == 0) found.Add(new Finding { Recipient = null, Diagnostic = diagnostic, Generic = true });
            return found;
        }

        /// <summary>The error lines of a block: those with SMTP codes (and their continuations) when
        /// there are any, else the whole block.</summary>
        public static string Diagnostic(List<string> block)
        {
            var lines = block.Where(l => l.Trim().Length > 0).Take(60).ToList();
            int first = lines.FindIndex(l => CodeLine.IsMatch(l));
            if (first >= 0)
            {
                // From the first coded line to the end of that paragraph-ish run.
                var picked = new List<string>();
                for (int i = first; i < lines.Count && picked.Count < 12; i++) picked.Add(lines[i]);
                // Include the line before: Exim/qmail put "SMTP error from remote mail server after RCPT TO" there.
                if (first > 0) picked.Insert(0, lines[first - 1]);
                return SmtpText.JoinMultiline(picked);
            }
            return SmtpText.JoinMultiline(lines.Take(20));
        }

        private static bool HasCode(List<string> block) => block.Any(l => CodeLine.IsMatch(l));

        private static string Clean(string a) => a.Trim().TrimEnd('.').Trim('<', '>');

        private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        private static bool Excluded(string a, ICollection<string> exclude)
        {
            if (exclude != null && exclude.Any(e => Same(e, a))) return true;
            string local = a.Split('@')[0].ToLowerInvariant();
            return local.StartsWith("mailer-daemon") || local == "double-bounce";
        }
    }
}
