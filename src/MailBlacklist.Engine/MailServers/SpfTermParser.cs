using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.MailServers
{
    /// <summary>SPF record text to terms (RFC 7208 4.6, 5, 7): which TXT is an SPF record, one
    /// mechanism with its qualifier, target and CIDR lengths, and the macros that can be expanded
    /// without the sender's address. Null for a term that is a syntax error.</summary>
    internal static class SpfTermParser
    {
        public static bool IsSpf(string text)
        {
            string t = text.TrimStart();
            return t.Equals("v=spf1", StringComparison.OrdinalIgnoreCase) || t.StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase);
        }

        private static readonly string[] Known = { "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists" };

        public static SpfMechanism Parse(string term, string currentDomain)
        {
            char qualifier = '+';
            string body = term;
            if ("+-~?".IndexOf(body[0]) >= 0) { qualifier = body[0]; body = body.Substring(1); }
            if (body.Length == 0) return null;
            int sep = body.IndexOfAny(new[] { ':', '/' });
            string kind = (sep < 0 ? body : body.Substring(0, sep)).ToLowerInvariant();
            string rest = sep < 0 ? string.Empty : body.Substring(sep);
            if (!Known.Contains(kind)) return null;
            var m = new SpfMechanism { Text = term, Kind = kind, Qualifier = qualifier, Target = currentDomain };
            switch (kind)
            {
                case "all":
                    return rest.Length == 0 ? m : null;
                case "ip4":
                case "ip6":
                    if (!rest.StartsWith(":", StringComparison.Ordinal)) return null;
                    var network = IpNetwork.TryParse(rest.Substring(1), kind == "ip4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6);
                    if (network == null) return null;
                    m.Target = null;
                    m.Networks = new[] { new SpfNetwork(network, null) };
                    return m;
                case "include":
                case "exists":
                    if (!rest.StartsWith(":", StringComparison.Ordinal) || !ValidTarget(rest.Substring(1))) return null;
                    m.Target = rest.Substring(1);
                    return m;
                default: // a, mx, ptr: [:domain][/cidr4][//cidr6]
                    string domainPart = rest, cidr = string.Empty;
                    if (rest.StartsWith(":", StringComparison.Ordinal))
                    {
                        // The CIDR suffix is read from the end: a domain-spec may itself hold '/' (RFC 7208 7.1).
                        var suffix = CidrSuffix.Match(rest);
                        domainPart = rest.Substring(1, suffix.Index - 1);
                        cidr = suffix.Value;
                        if (!ValidTarget(domainPart)) return null;
                        m.Target = domainPart;
                    }
                    else cidr = rest;
                    if (!ParseCidr(cidr, out int v4, out int v6)) return null;
                    if (kind == "ptr" && cidr.Length > 0) return null;
                    m.Cidr4 = v4; m.Cidr6 = v6;
                    return m;
            }
        }

        private static readonly Regex CidrSuffix =
            new Regex(@"(/[0-9]+)?(//[0-9]+)?$", RegexOptions.CultureInvariant);

        // A target with a control or non-ASCII character is already a permerror of the record (see
        // ExpandAsync); it is kept as a term so that the record's other terms are still shown.
        private static bool ValidTarget(string target) =>
            target.Length > 0 && (SpfSyntax.IsDomainSpec(target) || !SpfSyntax.IsPrintableAscii(target));

        // "", "/24", "//64", "/24//64"
        private static bool ParseCidr(string text, out int v4, out int v6)
        {
            v4 = 32; v6 = 128;
            if (text.Length == 0) return true;
            int dual = text.IndexOf("//", StringComparison.Ordinal);
            string four = dual < 0 ? text : text.Substring(0, dual);
            string six = dual < 0 ? null : text.Substring(dual + 2);
            if (four.Length > 0)
            {
                if (!four.StartsWith("/", StringComparison.Ordinal) || !IpNetwork.TryParsePrefix(four.Substring(1), 32, out v4)) return false;
            }
            if (six != null && !IpNetwork.TryParsePrefix(six, 128, out v6)) return false;
            return true;
        }

        // Only %{d} and %{o} (the domain itself) can be expanded without the sender's address.
        public static string ExpandMacros(string spec, string currentDomain, out bool unresolved)
        {
            unresolved = false;
            if (spec.IndexOf('%') < 0) return spec.TrimEnd('.');
            string expanded = spec.Replace("%{d}", currentDomain).Replace("%{o}", currentDomain)
                                  .Replace("%%", "%").Replace("%_", " ").Replace("%-", "%20");
            if (expanded.IndexOf('%') >= 0) { unresolved = true; return spec; }
            return expanded.TrimEnd('.');
        }
    }
}
