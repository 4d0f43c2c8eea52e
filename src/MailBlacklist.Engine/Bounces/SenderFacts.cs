using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Diagnosis;
using MimeKit;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>What one bounce message shows of the sender, read by the parser while it holds the
    /// message, so that the diagnosis (BounceSender) never opens the file again and every message
    /// of an mbox has its own: the bounce's addressee, the returned message's From, Return-Path and
    /// DKIM signatures, the envelope sender Postfix names, the human-readable text and the Received
    /// lines. Domains are normalized; texts are the message's own (neutralized where shown).</summary>
    public sealed class SenderFacts
    {
        /// <summary>At most this many Received lines are kept (a looping message can carry hundreds).</summary>
        private const int MaxReceived = 100;

        /// <summary>The bounce's addressee's domain (the bounce goes back to the sender); empty when none.</summary>
        public string AddresseeDomain { get; private set; } = string.Empty;
        /// <summary>The returned message's From domain (the one DMARC judges); empty when not shown.</summary>
        public string FromDomain { get; private set; } = string.Empty;
        /// <summary>Return-Path of the returned message, or Postfix's X-Postfix-Sender; empty when neither.</summary>
        public string EnvelopeDomain { get; private set; } = string.Empty;
        public List<DkimSignature> DkimSignatures { get; } = new List<DkimSignature>();
        /// <summary>The bounce's human-readable part (where "host X[ip] said" often is).</summary>
        public string HumanText { get; private set; } = string.Empty;
        /// <summary>Every Received field of the message (bounce and returned headers), unfolded lines joined by \n.</summary>
        public List<string> ReceivedLines { get; } = new List<string>();

        /// <summary>Reads the facts of one message and gives them to each of its results.</summary>
        internal static void Attach(IReadOnlyList<BounceReason> results, MimeMessage message, byte[] raw)
        {
            var facts = Read(message, raw);
            foreach (var r in results) r.Sender = facts;
        }

        private static SenderFacts Read(MimeMessage message, byte[] raw)
        {
            var facts = new SenderFacts();
            facts.ReceivedLines.AddRange(Received(raw));
            facts.AddresseeDomain = DomainOf(message.To.Mailboxes.FirstOrDefault()?.Address) ?? string.Empty;
            if (message.Body is Multipart mixed && mixed.Count > 0 && mixed[0] is TextPart human) facts.HumanText = human.Text ?? string.Empty;
            else if (message.Body is TextPart plain) facts.HumanText = plain.Text ?? string.Empty;
            foreach (var part in message.BodyParts)
            {
                // A damaged part leaves only its own facts unknown: the bounce itself was read.
                try { facts.ReadPart(part); }
                catch (Exception ex) when (ex is FormatException || ex is ParseException || ex is RegexMatchTimeoutException) { }
            }
            return facts;
        }

        private void ReadPart(MimeEntity part)
        {
            HeaderList headers = null;
            if (part is MessagePart mp && mp.Message != null) headers = mp.Message.Headers;
            else if (part is MimePart p && p.ContentType.IsMimeType("text", "rfc822-headers") && p.Content != null)
                using (var s = p.Content.Open()) headers = HeaderList.Load(BounceParser.MimeOptions, s);
            else if (part is MimePart ds && ds.ContentType.IsMimeType("message", "delivery-status") && ds.Content != null)
            {
                // Postfix names the envelope sender in its report: X-Postfix-Sender: rfc822; x@y.
                using (var s = ds.Content.Open()) using (var r = new StreamReader(s))
                {
                    var m = PostfixSender.Match(r.ReadToEnd());
                    if (m.Success && EnvelopeDomain.Length == 0) EnvelopeDomain = DomainOf(m.Groups["a"].Value) ?? string.Empty;
                }
            }
            if (headers == null || FromDomain.Length > 0) return;
            string from = headers[HeaderId.From];
            if (from != null && InternetAddressList.TryParse(from, out var list))
                FromDomain = DomainOf(list.Mailboxes.FirstOrDefault()?.Address) ?? string.Empty;
            string returnPath = headers[HeaderId.ReturnPath];
            if (returnPath != null && EnvelopeDomain.Length == 0) EnvelopeDomain = DomainOf(returnPath.Trim().Trim('<', '>')) ?? string.Empty;
            foreach (var h in headers.Where(h => h.Id == HeaderId.DkimSignature))
            {
                var sig = DkimSignature.Parse(h.Value);
                if (sig != null) DkimSignatures.Add(sig);
            }
        }

        private static readonly Regex PostfixSender = new Regex(@"^X-Postfix-Sender:\s*rfc822;\s*(?<a>\S+)",
            RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        private static readonly byte[] ReceivedName = Encoding.ASCII.GetBytes("received:");

        /// <summary>Lines starting "Received:" anywhere in the message (a returned message pasted as
        /// text counts too), with their folded continuation lines; a byte scan, no copy of the message.</summary>
        private static IEnumerable<string> Received(byte[] raw)
        {
            int count = 0;
            for (int i = 0; i < raw.Length && count < MaxReceived;)
            {
                if (!StartsWithName(raw, i))
                {
                    int nl = Array.IndexOf(raw, (byte)'\n', i);
                    if (nl < 0) yield break;
                    i = nl + 1;
                    continue;
                }
                int end = i;
                do
                {
                    int nl = Array.IndexOf(raw, (byte)'\n', end);
                    end = nl < 0 ? raw.Length : nl + 1;
                }
                while (end < raw.Length && (raw[end] == ' ' || raw[end] == '\t'));
                count++;
                yield return Encoding.UTF8.GetString(raw, i, end - i).TrimEnd('\n');
                i = end;
            }
        }

        private static bool StartsWithName(byte[] raw, int at)
        {
            if (at + ReceivedName.Length > raw.Length) return false;
            for (int k = 0; k < ReceivedName.Length; k++)
                if ((raw[at + k] | 0x20) != ReceivedName[k]) return false;
            return true;
        }

        /// <summary>The domain of a mail address; null for none, a bare name, or the mail system's own
        /// addresses (mailer-daemon@, postmaster@), which are no sender.</summary>
        internal static string DomainOf(string address)
        {
            if (string.IsNullOrEmpty(address)) return null;
            int at = address.LastIndexOf('@');
            if (at < 0) return null;
            if (address.StartsWith("mailer-daemon@", StringComparison.OrdinalIgnoreCase) || address.StartsWith("postmaster@", StringComparison.OrdinalIgnoreCase)) return null;
            string domain = Dns.DomainName.Normalize(address.Substring(at + 1));
            return domain != null && domain.Contains(".") ? domain : null;
        }
    }
}
