namespace MailBlacklist
{
    /// <summary>Why an address was found: it sends mail for the domain, or receives it.</summary>
    public enum MailServerRole
    {
        Outbound,
        Inbound,
    }

    /// <summary>One address (or SPF network) that sends or receives mail for a domain. Flat, so
    /// that Export-Csv writes every column; IPAddress and Domain bind by property name to
    /// Test-Dnsbl.</summary>
    public sealed class MailServerAddress
    {
        /// <summary>The domain asked about (normalized: lower-case, punycode).</summary>
        public string Domain { get; set; } = string.Empty;
        /// <summary>One address; empty for a network wider than one address (see Range).</summary>
        public string IPAddress { get; set; } = string.Empty;
        /// <summary>CIDR text when SPF names a network wider than one address, else empty.
        /// Networks are never expanded into their addresses.</summary>
        public string Range { get; set; } = string.Empty;
        public MailServerRole Role { get; set; }
        /// <summary>Which record or header gave the address: "SPF ip4", "SPF a", "SPF mx", "MX",
        /// "A (implicit MX)", later "Received header", "Bounce text".</summary>
        public string Source { get; set; } = string.Empty;
        /// <summary>The PTR name of the address; empty when there is none or for a range.</summary>
        public string HostName { get; set; } = string.Empty;
        /// <summary>True when the PTR name resolves back to the address; False when there is no PTR
        /// or its name does not resolve back; empty when unknown (DNS failure, range).</summary>
        public bool? ForwardConfirmed { get; set; }
        /// <summary>How the address was found, e.g. "SPF example.com -> include:_spf.host.test -> ip4:192.0.2.0/24".</summary>
        public string Evidence { get; set; } = string.Empty;
        /// <summary>Problems met on the way (lookup limit, loop, DNS failures), localized; empty when none.</summary>
        public string Detail { get; set; } = string.Empty;

        public override string ToString() => IPAddress.Length > 0 ? IPAddress : Range;
    }
}
