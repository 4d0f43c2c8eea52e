using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailBlacklist.Engine.MailServers
{
    /// <summary>An address with a prefix length: one address (/32, /128) or a network.</summary>
    public sealed class IpNetwork
    {
        public IpNetwork(IPAddress address, int prefixLength)
        {
            int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (prefixLength < 0 || prefixLength > max) throw new ArgumentOutOfRangeException(nameof(prefixLength));
            PrefixLength = prefixLength;
            Address = Mask(address, prefixLength);
        }

        /// <summary>The network address (host bits cleared).</summary>
        public IPAddress Address { get; }
        public int PrefixLength { get; }
        public int MaxPrefixLength => Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        public bool IsSingleAddress => PrefixLength == MaxPrefixLength;
        public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

        /// <summary>CIDR text, e.g. 198.51.100.0/24.</summary>
        public override string ToString() => Address + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);

        public bool Contains(IPAddress address)
        {
            if (address == null) return false;
            if (address.IsIPv4MappedToIPv6 && !IsIPv6) address = address.MapToIPv4();
            if (address.AddressFamily != Address.AddressFamily) return false;
            return Mask(address, PrefixLength).Equals(Address);
        }

        /// <summary>Parses "addr" or "addr/prefix" of the given family; null when it is not one.</summary>
        public static IpNetwork TryParse(string text, AddressFamily family)
        {
            if (string.IsNullOrEmpty(text)) return null;
            string addressText = text;
            int max = family == AddressFamily.InterNetwork ? 32 : 128;
            int prefix = max;
            int slash = text.IndexOf('/');
            if (slash >= 0)
            {
                addressText = text.Substring(0, slash);
                if (!TryParsePrefix(text.Substring(slash + 1), max, out prefix)) return null;
            }
            if (addressText.IndexOf('%') >= 0 || !IPAddress.TryParse(addressText, out var address)) return null;
            if (address.AddressFamily != family) return null;
            if (family == AddressFamily.InterNetwork && addressText.Split('.').Length != 4) return null;
            return new IpNetwork(address, prefix);
        }

        internal static bool TryParsePrefix(string text, int max, out int prefix)
        {
            prefix = 0;
            if (string.IsNullOrEmpty(text) || text.Length > 3) return false;
            if (text.Length > 1 && text[0] == '0') return false;   // RFC 7208: no leading zeros
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) && prefix <= max;
        }

        private static IPAddress Mask(IPAddress address, int prefixLength)
        {
            byte[] bytes = address.GetAddressBytes();
            for (int i = 0; i < bytes.Length; i++)
            {
                int bits = Math.Max(0, Math.Min(8, prefixLength - i * 8));
                bytes[i] = (byte)(bytes[i] & (0xFF << (8 - bits)));
            }
            return new IPAddress(bytes);
        }

        /// <summary>The PTR query name: d.c.b.a.in-addr.arpa or the 32 reversed nibbles under ip6.arpa.</summary>
        public static string ReverseName(IPAddress address)
        {
            byte[] bytes = address.GetAddressBytes();
            var sb = new StringBuilder();
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                for (int i = bytes.Length - 1; i >= 0; i--) sb.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
                return sb.Append("in-addr.arpa").ToString();
            }
            const string hex = "0123456789abcdef";
            for (int i = bytes.Length - 1; i >= 0; i--)
                sb.Append(hex[bytes[i] & 0xF]).Append('.').Append(hex[bytes[i] >> 4]).Append('.');
            return sb.Append("ip6.arpa").ToString();
        }
    }
}
