using System.Net;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Bounces;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    public enum AddressRole { Sending, Receiving, Other }

    /// <summary>One address a bounce shows, what it is and the words that say so.</summary>
    public sealed class RoledAddress
    {
        public IPAddress Address { get; set; }
        public AddressRole Role { get; set; }
        public string Why { get; set; } = string.Empty;
    }

    /// <summary>Sorts every address of a bounce into the sending server (the one the receiver judged),
    /// the receiving server (the host that answered: "host X[ip] said/refused to talk to me",
    /// Remote-MTA, Exim's H= of a delivery line) or other. Only sending addresses are the sender's to
    /// check: the receiver's own address is never on the sender's SPF and its PTR is not the
    /// sender's problem.</summary>
    public static class AddressRoles
    {
        private const RegexOptions Opt = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);
        // Gmail quotes the connecting address with its own number after it: "[203.0.113.5      15]".
        private static readonly Regex GmailBracket = new Regex(@"\[\s*(?<ip>\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})\s+\d{1,3}\s*\]", Opt, Timeout);
        // Remote-MTA "dns; mx.example [192.0.2.1]" and Exim delivery lines "** x R=r T=t H=mx.example [192.0.2.1]".
        private static readonly Regex RemoteMta = new Regex(@"(?:^|;)\s*[a-z0-9.\-]*\s*\[?(?<ip>\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})\]?", Opt, Timeout);
        private static readonly Regex EximDelivery = new Regex(@"(?:\*\*|==|=>|->) \S+.*?\bH=(?<host>[^\s\[]+)\s?\[(?<ip>[0-9a-f.:]+)\]", Opt, Timeout);
        private static readonly Regex AnyAddress = new Regex(@"(?<![\w.:])(?<ip>\d{1,3}(?:\.\d{1,3}){3})(?![\w.]*\d)|\[(?:IPv6:)?(?<ip>[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})\]", Opt, Timeout);

        /// <summary>The roles of the addresses in a case's bounces and in other texts of the bounce
        /// (its human-readable part).</summary>
        public static List<RoledAddress> Classify(IEnumerable<BounceReason> bounces, IEnumerable<string> extraTexts = null)
        {
            var list = new List<RoledAddress>();
            var texts = new List<string>();
            foreach (var b in bounces ?? Enumerable.Empty<BounceReason>())
            {
                texts.Add(b.DiagnosticText ?? string.Empty);
                foreach (Match m in Safe(() => RemoteMta.Matches(b.RemoteMta ?? string.Empty)))
                    Add(list, m.Groups["ip"].Value, AddressRole.Receiving, "Remote-MTA: " + b.RemoteMta);
            }
            texts.AddRange(extraTexts ?? Enumerable.Empty<string>());
            foreach (string text in texts.Where(t => !string.IsNullOrEmpty(t)))
            {
                foreach (var re in BounceRules.Default.Evidence.ReceiverIpRegexes)
                    foreach (Match m in Safe(() => re.Matches(text))) Add(list, m.Groups["ip"].Value, AddressRole.Receiving, m.Value);
                foreach (Match m in Safe(() => EximDelivery.Matches(text))) Add(list, m.Groups["ip"].Value, AddressRole.Receiving, "H=" + m.Groups["host"].Value + " [" + m.Groups["ip"].Value + "]");
            }
            // The receiver's own words about the connecting address come next; then what the bounce
            // reader chose (its patterns, or the Received header), unless that is the receiver.
            foreach (string text in texts.Where(t => !string.IsNullOrEmpty(t)))
                foreach (Match m in Safe(() => GmailBracket.Matches(text))) Add(list, m.Groups["ip"].Value, AddressRole.Sending, m.Value);
            foreach (var b in bounces ?? Enumerable.Empty<BounceReason>())
                if (!string.IsNullOrEmpty(b.IPAddress)) Add(list, b.IPAddress, AddressRole.Sending, Around(b.DiagnosticText, b.IPAddress) ?? "Received: [" + b.IPAddress + "]");
            foreach (string text in texts.Where(t => !string.IsNullOrEmpty(t)))
                foreach (Match m in Safe(() => AnyAddress.Matches(text))) Add(list, m.Groups["ip"].Value, AddressRole.Other, Around(text, m.Groups["ip"].Value));
            return list;
        }

        /// <summary>The MX we were talking to: a sending address that is an address of a recipient
        /// domain's MX host is the receiving server, whatever words named it (some receivers write
        /// "rejected by server [ip]" about themselves).</summary>
        public static async Task DemoteReceiversAsync(List<RoledAddress> roles, IEnumerable<BounceReason> bounces, MxLookup mx, CancellationToken ct)
        {
            if (!roles.Any(r => r.Role == AddressRole.Sending)) return;
            var domains = (bounces ?? Enumerable.Empty<BounceReason>())
                .Select(b => b.Recipient ?? string.Empty).Where(r => r.IndexOf('@') > 0)
                .Select(r => Dns.DomainName.Normalize(r.Substring(r.LastIndexOf('@') + 1))).Where(d => d != null && d.Contains("."))
                .Distinct(StringComparer.OrdinalIgnoreCase).Take(5).ToList();
            var results = await Task.WhenAll(domains.Select(d => mx.LookupAsync(d, ct))).ConfigureAwait(false);
            foreach (var result in results.Where(r => r != null))
                foreach (var host in result.Hosts)
                    foreach (var role in roles.Where(r => r.Role == AddressRole.Sending && host.Addresses.Contains(r.Address)))
                    {
                        role.Role = AddressRole.Receiving;
                        role.Why = Shorten("MX " + result.Domain + ": " + host.Name + " -> " + role.Address);
                    }
        }

        /// <summary>The first sending address, or null.</summary>
        public static RoledAddress Sending(IEnumerable<RoledAddress> roles) => roles.FirstOrDefault(r => r.Role == AddressRole.Sending);

        // The first role an address gets is kept: receivers are found first, so a receiver's address
        // that another pattern also matches stays the receiver's.
        private static void Add(List<RoledAddress> list, string text, AddressRole role, string why)
        {
            if (!IPAddress.TryParse((text ?? string.Empty).Trim(), out var ip) || !Evidence.IsUsable(ip.ToString())) return;
            if (list.Any(r => r.Address.Equals(ip))) return;
            list.Add(new RoledAddress { Address = ip, Role = role, Why = Shorten(why) });
        }

        private static string Around(string text, string ip)
        {
            int at = (text ?? string.Empty).IndexOf(ip ?? "\0", StringComparison.OrdinalIgnoreCase);
            if (at < 0) return null;
            int start = Math.Max(0, at - 40);
            return text.Substring(start, Math.Min(text.Length - start, ip.Length + 80));
        }

        private static string Shorten(string text)
        {
            text = Regex.Replace(text ?? string.Empty, @"\s+", " ").Trim();
            return text.Length > 120 ? text.Substring(0, 120) + "..." : text;
        }

        private static IEnumerable<Match> Safe(Func<MatchCollection> matches)
        {
            try { return matches().Cast<Match>().ToList(); }
            catch (RegexMatchTimeoutException) { return new Match[0]; }
        }
    }
}
