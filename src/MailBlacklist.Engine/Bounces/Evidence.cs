using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>What the receiver's text shows beyond the reason: the sending server's address, the
    /// blocklist, the receiver's own code and a lookup or removal URL. Patterns come from BounceRules.</summary>
    public sealed class Evidence
    {
        public string IPAddress { get; private set; }
        public string Blocklist { get; private set; }
        public string ProviderCode { get; private set; }
        public string Url { get; private set; }

        /// <param name="aboutSender">The reason is about the sending host (a block, a reputation):
        /// then any address the receiver quotes, other than its own, is the sender's.</param>
        public static Evidence Find(string text, EvidenceRules rules, bool aboutSender = false)
        {
            var e = new Evidence();
            if (string.IsNullOrEmpty(text) || rules == null) return e;
            try
            {
                // "host mx.example.net[192.0.2.25] said:", "Connected to 192.0.2.25 but": the
                // receiving server's own address, never the one it judged.
                var receiver = new List<Capture>();
                foreach (var re in rules.ReceiverIpRegexes)
                    foreach (Match m in re.Matches(text)) receiver.Add(m.Groups["ip"]);
                bool IsReceiver(Group g) => receiver.Any(c => c.Index == g.Index);

                foreach (var re in rules.IpRegexes)
                {
                    foreach (Match m in re.Matches(text))
                    {
                        Group g = m.Groups["ip"];
                        if (IsUsable(g.Value) && !IsReceiver(g)) { e.IPAddress = Canonical(g.Value); break; }
                    }
                    if (e.IPAddress != null) break;
                }
                if (e.IPAddress == null && aboutSender && rules.AnyIpRegex != null)
                    foreach (Match m in rules.AnyIpRegex.Matches(text))
                    {
                        Group g = m.Groups["ip"];
                        if (IsUsable(g.Value) && !IsReceiver(g)) { e.IPAddress = Canonical(g.Value); break; }
                    }
                foreach (var b in rules.Blocklist)
                {
                    Match m = b.Regex.Match(text);
                    if (!m.Success) continue;
                    e.Blocklist = string.IsNullOrEmpty(b.Name) ? m.Groups["name"].Value.TrimEnd('.').ToLowerInvariant() : b.Name;
                    break;
                }
                foreach (var re in rules.ProviderCodeRegexes)
                {
                    Match m = re.Match(text);
                    if (m.Success) { e.ProviderCode = m.Groups["code"].Value; break; }
                }
                Match u = rules.UrlRegex.Match(text);
                if (u.Success) e.Url = u.Groups["url"].Value.TrimEnd('.', ',', ';', ':');
            }
            catch (RegexMatchTimeoutException) { }
            return e;
        }

        public void SetAddressIfMissing(string address)
        {
            if (IPAddress == null && IsUsable(address)) IPAddress = Canonical(address);
        }

        private static string Canonical(string text) => System.Net.IPAddress.Parse(text.Trim()).ToString();

        /// <summary>An address worth checking against blocklists: parseable and not private,
        /// loopback, link-local or unspecified (those never appear on public lists).</summary>
        public static bool IsUsable(string text)
        {
            if (!System.Net.IPAddress.TryParse(text ?? string.Empty, out var ip)) return false;
            if (!text.Contains(".") && !text.Contains(":")) return false;
            if (System.Net.IPAddress.IsLoopback(ip)) return false;
            if (ip.AddressFamily == AddressFamily.InterNetwork)
            {
                byte[] b = ip.GetAddressBytes();
                if (b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224) return false;
                if (b[0] == 172 && b[1] >= 16 && b[1] <= 31) return false;
                if (b[0] == 192 && b[1] == 168) return false;
                if (b[0] == 169 && b[1] == 254) return false;
                if (b[0] == 100 && b[1] >= 64 && b[1] <= 127) return false;
                return true;
            }
            return !(ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.Equals(System.Net.IPAddress.IPv6Any) || (ip.GetAddressBytes()[0] & 0xFE) == 0xFC);
        }
    }
}
