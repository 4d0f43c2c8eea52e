using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Bounces;
using MailBlacklist.Engine.Dnsbl;
using MimeKit;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>What a bounce says about the sender: the address the receiver saw (and where it was
    /// read), the sender's domain and the name the sending server greets with. Shared by
    /// Invoke-MailDeliveryDiagnosis and Get-MailServerIp's bounce mode.</summary>
    public sealed class BounceSender
    {
        private static readonly Regex HeloPattern = new Regex(@"helo(?: command)?\s*(?:name\s*)?[\[<(=:]\s*(?<name>[a-z0-9][a-z0-9.-]*\.[a-z]{2,})",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        /// <summary>The sending server's address; null when the bounce does not show it.</summary>
        public IPAddress Address { get; private set; }
        /// <summary>"Bounce text" when the receiver's words name the address, "Received header" when it
        /// comes from the returned message's headers.</summary>
        public string Source { get; private set; } = string.Empty;
        /// <summary>The line the address was read from.</summary>
        public string Evidence { get; private set; } = string.Empty;
        /// <summary>The sender's domain: the bounce's addressee (the bounce goes back to the sender),
        /// or the returned message's From; empty when neither shows one.</summary>
        public string Domain { get; private set; } = string.Empty;
        /// <summary>The sending server's name: a HELO named in the text, else the Reporting-MTA.</summary>
        public string Helo { get; private set; } = string.Empty;

        public static BounceSender From(BounceReason bounce)
        {
            var s = new BounceSender();
            string text = bounce.DiagnosticText ?? string.Empty;
            if (!string.IsNullOrEmpty(bounce.IPAddress) && IPAddress.TryParse(bounce.IPAddress, out var ip))
            {
                s.Address = ip;
                bool inText = text.IndexOf(bounce.IPAddress, StringComparison.OrdinalIgnoreCase) >= 0;
                s.Source = inText ? "Bounce text" : "Received header";
                s.Evidence = inText ? Shorten(text) : Shorten(ReceivedLine(bounce.Path, bounce.IPAddress) ?? ("Received: ... [" + bounce.IPAddress + "]"));
            }
            try
            {
                var m = HeloPattern.Match(text);
                if (m.Success) s.Helo = m.Groups["name"].Value.TrimEnd('.').ToLowerInvariant();
            }
            catch (RegexMatchTimeoutException) { }
            if (s.Helo.Length == 0 && !string.IsNullOrEmpty(bounce.ReportingMta))
            {
                string mta = bounce.ReportingMta.Trim();
                int semi = mta.IndexOf(';');
                if (semi >= 0) mta = mta.Substring(semi + 1).Trim();
                if (MailBlacklist.Engine.Dns.DomainName.Normalize(mta) is string name && name.Contains(".")) s.Helo = name;
            }
            s.Domain = SenderDomain(bounce.Path, bounce.MessageNumber) ?? string.Empty;
            return s;
        }

        // The line is the bounce's own text (a Received header is read raw from the file): neutralized
        // after shortening, so that no control character of it reaches a console or a CSV line.
        private static string Shorten(string text)
        {
            text = Regex.Replace(text ?? string.Empty, @"\s+", " ").Trim();
            return SafeText.Neutralize(text.Length > 300 ? text.Substring(0, 300) + "..." : text);
        }

        private static string ReceivedLine(string path, string ip)
        {
            try
            {
                if (string.IsNullOrEmpty(path) || !File.Exists(path) || new FileInfo(path).Length > MailSource.MaxFileBytes) return null;
                string all = File.ReadAllText(path).Replace("\r\n", "\n");
                var m = Regex.Match(all, @"^Received:[^\n]*(?:\n[ \t][^\n]*)*", RegexOptions.Multiline | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(500));
                for (; m.Success; m = m.NextMatch())
                    if (m.Value.Contains(ip)) return m.Value;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is RegexMatchTimeoutException) { }
            return null;
        }

        /// <summary>The sender's domain from the bounce file (first message of the file only).</summary>
        private static string SenderDomain(string path, int messageNumber)
        {
            if (string.IsNullOrEmpty(path) || messageNumber > 1) return null;
            try
            {
                if (!File.Exists(path) || new FileInfo(path).Length > MailSource.MaxFileBytes) return null;
                MimeMessage message;
                using (var stream = File.OpenRead(path)) message = MimeMessage.Load(BounceParser.MimeOptions, stream);
                string domain = DomainOf(message.To.Mailboxes.FirstOrDefault()?.Address);
                if (domain != null) return domain;
                foreach (var part in message.BodyParts)
                {
                    HeaderList headers = null;
                    if (part is MessagePart mp && mp.Message != null) headers = mp.Message.Headers;
                    else if (part is MimePart p && p.ContentType.IsMimeType("text", "rfc822-headers") && p.Content != null)
                        using (var s = p.Content.Open()) headers = HeaderList.Load(s);
                    if (headers == null) continue;
                    string from = headers[HeaderId.From];
                    if (from != null && InternetAddressList.TryParse(from, out var list))
                        domain = DomainOf(list.Mailboxes.FirstOrDefault()?.Address);
                    if (domain != null) return domain;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is FormatException || ex is ParseException) { }
            return null;
        }

        private static string DomainOf(string address)
        {
            if (string.IsNullOrEmpty(address)) return null;
            int at = address.LastIndexOf('@');
            if (at < 0) return null;
            if (address.StartsWith("mailer-daemon@", StringComparison.OrdinalIgnoreCase) || address.StartsWith("postmaster@", StringComparison.OrdinalIgnoreCase)) return null;
            string domain = MailBlacklist.Engine.Dns.DomainName.Normalize(address.Substring(at + 1));
            return domain != null && domain.Contains(".") ? domain : null;
        }
    }
}
