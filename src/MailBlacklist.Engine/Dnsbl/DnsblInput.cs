using System.Net;
using System.Net.Sockets;
using System.Text;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.Dnsbl
{
    /// <summary>One thing to look up: an address or a domain, in canonical form.</summary>
    public sealed class DnsblInput
    {
        private DnsblInput(string text, InputKinds kind, IPAddress address)
        {
            Text = text; Kind = kind; Address = address;
        }

        public string Text { get; }
        public InputKinds Kind { get; }
        public IPAddress Address { get; }

        /// <summary>The kind's name, as results show it (one string, not one per zone).</summary>
        public string KindName => Kind == InputKinds.IPv4 ? "IPv4" : Kind == InputKinds.IPv6 ? "IPv6" : Kind == InputKinds.Domain ? "Domain" : Kind.ToString();

        // The reversed address with its trailing dot, built once: every zone's name starts with it.
        private string _reversed;

        /// <summary>Strict address parsing: IPAddress.Parse alone would take "1" as 0.0.0.1.</summary>
        public static DnsblInput TryParseAddress(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            string t = text.Trim();
            if (t.StartsWith("[", System.StringComparison.Ordinal) && t.EndsWith("]", System.StringComparison.Ordinal)) t = t.Substring(1, t.Length - 2);
            if (t.IndexOf('%') >= 0 || !IPAddress.TryParse(t, out var ip)) return null;
            if (ip.AddressFamily == AddressFamily.InterNetwork)
            {
                if (t.Count(c => c == '.') != 3) return null;
                return new DnsblInput(ip.ToString(), InputKinds.IPv4, ip);
            }
            if (ip.AddressFamily == AddressFamily.InterNetworkV6 && t.IndexOf(':') >= 0)
                return new DnsblInput(ip.ToString(), InputKinds.IPv6, ip);
            return null;
        }

        /// <summary>A domain with at least two labels, normalized to lower-case ASCII.</summary>
        public static DnsblInput TryParseDomain(string text)
        {
            if (TryParseAddress(text) != null) return null;
            string name = DomainName.Normalize(text);
            if (name == null || name.IndexOf('.') < 0) return null;
            return new DnsblInput(name, InputKinds.Domain, null);
        }

        /// <summary>A test point from a catalogue: an address or a (possibly single-label) name.</summary>
        public static DnsblInput ForTestPoint(string text)
        {
            var address = TryParseAddress(text);
            if (address != null) return address;
            string name = DomainName.Normalize(text);
            return name == null ? null : new DnsblInput(name, InputKinds.Domain, null);
        }

        /// <summary>The RFC 5782 query name for this input in a zone.</summary>
        public string QueryName(string zone)
        {
            if (Kind == InputKinds.Domain) return Text + "." + zone;
            return (_reversed ?? (_reversed = Reversed())) + zone;
        }

        private string Reversed()
        {
            byte[] bytes = Address.GetAddressBytes();
            var sb = new StringBuilder(80);
            if (Kind == InputKinds.IPv4)
            {
                for (int i = 3; i >= 0; i--) sb.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }
            else
            {
                const string hex = "0123456789abcdef";
                for (int i = 15; i >= 0; i--)
                {
                    sb.Append(hex[bytes[i] & 0xF]).Append('.');
                    sb.Append(hex[bytes[i] >> 4]).Append('.');
                }
            }
            return sb.ToString();
        }

        public override string ToString() => Text;
    }
}
