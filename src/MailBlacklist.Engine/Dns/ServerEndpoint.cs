using System.Net;
using System.Net.Sockets;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>Parses the -Server forms: host, ip, ip:port, [ipv6]:port.</summary>
    public static class ServerEndpoint
    {
        public const int DefaultPort = 53;

        /// <summary>Returns the endpoints for one -Server value; host names are resolved through the
        /// system. Throws <see cref="FormatException"/> for text that is none of the forms.</summary>
        public static IPEndPoint[] Parse(string value)
        {
            if (string.IsNullOrWhiteSpace(value)) throw new FormatException();
            value = value.Trim();

            // A bare IPv4 or IPv6 address (IPv6 may not carry a port without brackets).
            if (IPAddress.TryParse(value, out var bare) && (bare.AddressFamily == AddressFamily.InterNetworkV6 || value.Count(c => c == '.') == 3))
                return new[] { new IPEndPoint(bare, DefaultPort) };

            string host = value;
            int port = DefaultPort;
            if (value.StartsWith("[", StringComparison.Ordinal))
            {
                int close = value.IndexOf(']');
                if (close < 0) throw new FormatException();
                host = value.Substring(1, close - 1);
                string rest = value.Substring(close + 1);
                if (rest.Length > 0)
                {
                    if (!rest.StartsWith(":", StringComparison.Ordinal)) throw new FormatException();
                    port = ParsePort(rest.Substring(1));
                }
                if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) throw new FormatException();
                return new[] { new IPEndPoint(v6, port) };
            }

            int colon = value.LastIndexOf(':');
            if (colon >= 0)
            {
                if (value.IndexOf(':') != colon) throw new FormatException();
                host = value.Substring(0, colon);
                port = ParsePort(value.Substring(colon + 1));
            }

            if (IPAddress.TryParse(host, out var ip) && host.Count(c => c == '.') == 3)
                return new[] { new IPEndPoint(ip, port) };
            if (!DomainName.IsValidHostName(host)) throw new FormatException();

            var addresses = System.Net.Dns.GetHostAddresses(host);
            if (addresses.Length == 0) throw new FormatException();
            return addresses.Select(a => new IPEndPoint(a, port)).ToArray();
        }

        private static int ParsePort(string text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < 1 || port > 65535)
                throw new FormatException();
            return port;
        }

        public static string Format(IPEndPoint endpoint) =>
            endpoint.AddressFamily == AddressFamily.InterNetworkV6
                ? "[" + endpoint.Address + "]:" + endpoint.Port.ToString(CultureInfo.InvariantCulture)
                : endpoint.Address + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture);
    }
}
