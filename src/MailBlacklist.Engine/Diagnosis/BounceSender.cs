using System.Net;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Bounces;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>What a bounce says about the sender: the address the receiver saw (and where it was
    /// read), the sender's domain and the name the sending server greets with, from the bounce's
    /// words and what the parser read of its message (SenderFacts): no file is opened here. Shared by
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
        /// <summary>The returned message's From domain (the one DMARC judges); empty when not shown.</summary>
        public string FromDomain { get; private set; } = string.Empty;
        /// <summary>The envelope sender's domain (the one SPF judges): Return-Path, X-Postfix-Sender,
        /// the bounce's addressee or a log line's from=&lt;...&gt;.</summary>
        public string EnvelopeDomain { get; private set; } = string.Empty;
        /// <summary>The returned message's DKIM-Signature headers.</summary>
        public System.Collections.Generic.List<DkimSignature> DkimSignatures { get; } = new System.Collections.Generic.List<DkimSignature>();
        /// <summary>The bounce's human-readable part (where "host X[ip] said" often is).</summary>
        public string HumanText { get; private set; } = string.Empty;
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
                s.Evidence = inText ? Shorten(text) : Shorten(ReceivedLine(bounce.Sender, bounce.IPAddress) ?? ("Received: ... [" + bounce.IPAddress + "]"));
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
            s.Take(bounce.Sender);
            if (s.Domain.Length == 0)
            {
                // A pasted log line: its envelope sender is the sender's domain.
                try
                {
                    var m = LogSender.Match(text);
                    if (m.Success) s.Domain = s.EnvelopeDomain = DomainOf(m.Groups["a"].Value) ?? string.Empty;
                }
                catch (RegexMatchTimeoutException) { }
            }
            return s;
        }

        // The line is the bounce's own text (a Received header is read raw from the file): neutralized
        // after shortening, so that no control character of it reaches a console or a CSV line.
        private static string Shorten(string text)
        {
            text = Regex.Replace(text ?? string.Empty, @"\s+", " ").Trim();
            return SafeText.Neutralize(text.Length > 300 ? text.Substring(0, 300) + "..." : text);
        }

        private static string ReceivedLine(SenderFacts facts, string ip) => facts?.ReceivedLines.FirstOrDefault(l => l.Contains(ip));

        // The envelope sender of a pasted MTA log line: Postfix/Sendmail "from=<x>", Sendmail "F=<x>".
        private static readonly Regex LogSender = new Regex(@"\b(?:from|F)=<(?<a>[^<>\s]+@[^<>\s]+)>", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        /// <summary>The sender's identities the parser read from the message (SenderFacts).</summary>
        private void Take(SenderFacts facts)
        {
            if (facts != null)
            {
                Domain = facts.AddresseeDomain;
                FromDomain = facts.FromDomain;
                EnvelopeDomain = facts.EnvelopeDomain;
                HumanText = facts.HumanText;
                DkimSignatures.AddRange(facts.DkimSignatures);
            }
            // The bounce goes back to the envelope sender: its addressee is that address's domain.
            if (EnvelopeDomain.Length == 0) EnvelopeDomain = Domain;
            if (Domain.Length == 0) Domain = FromDomain.Length > 0 ? FromDomain : EnvelopeDomain;
        }

        private static string DomainOf(string address) => SenderFacts.DomainOf(address);
    }
}
