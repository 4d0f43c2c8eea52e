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

        public static Evidence Find(string text, EvidenceRules rules)
        {
            var e = new Evidence();
            if (string.IsNullOrEmpty(text) || rules == null) return e;
            try
            {
                foreach (var re in rules.IpRegexes)
                {
                    Match m = re.Match(text);
                    if (m.Success && IsUsable(m.Groups["ip"].Value)) { e.IPAddress = Canonical(m.Groups["ip"].Value); break; }
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

        private static string Canonical(string text) => System.Net.IPAddress.Parse(text).ToString();

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
