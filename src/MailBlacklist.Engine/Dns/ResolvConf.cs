using System.IO;
using System.Net;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>The "nameserver" lines of resolv.conf (resolv.conf(5)), read directly. DnsClient
    /// learns the resolvers from the network adapters, so on a host whose only adapter is loopback
    /// (a container, a network namespace, a resolver on 127.0.0.53) it finds none even though
    /// resolv.conf names one.</summary>
    public static class ResolvConf
    {
        public const string DefaultPath = "/etc/resolv.conf";

        /// <summary>The resolvers the file names, in its order; none when it is missing or unreadable.</summary>
        public static IReadOnlyList<IPEndPoint> Read(string path)
        {
            var servers = new List<IPEndPoint>();
            string[] lines;
            try { lines = File.ReadAllLines(path); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                return servers;
            }
            foreach (string line in lines)
            {
                var words = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length < 2 || words[0] != "nameserver") continue;
                // A scope suffix (fe80::1%eth0) is part of the address; the port is always 53.
                if (IPAddress.TryParse(words[1], out var address)) servers.Add(new IPEndPoint(address, 53));
            }
            return servers;
        }
    }

    /// <summary>No -Server was given and the system names no resolver: nothing can be checked.</summary>
    public sealed class NoSystemResolverException : InvalidOperationException
    {
        public NoSystemResolverException() : base("No DNS resolver is configured on this system.") { }
    }
}
