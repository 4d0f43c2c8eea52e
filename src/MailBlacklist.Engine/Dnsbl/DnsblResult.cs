namespace MailBlacklist
{
    public enum DnsblStatus
    {
        /// <summary>Listed on a verdict list: receivers that use the list refuse the mail.</summary>
        Listed,
        /// <summary>A policy listing (end-user, dynamic or no-PTR range), not a spam verdict.</summary>
        Policy,
        /// <summary>On an information-only list (a whitelist, a reputation note, backscatter): not a
        /// block verdict, but not "not listed" either. Meaning says what the entry means.</summary>
        Info,
        /// <summary>The list answered, and the input is not on it.</summary>
        NotListed,
        /// <summary>No usable answer: timeout, SERVFAIL, REFUSED, an error code or an answer outside 127/8.</summary>
        Error,
        /// <summary>The zone failed its test points; its answers cannot be trusted.</summary>
        ZoneUnhealthy,
        /// <summary>The zone does not list this kind of input (IPv6 on an IPv4-only list); not queried.</summary>
        NotApplicable,
    }

    /// <summary>Which path the answer came through.</summary>
    public enum DnsblVia
    {
        /// <summary>The configured resolver (-Server, or the system's).</summary>
        Resolver,
        /// <summary>The list's own name servers, asked directly because the resolver was refused.</summary>
        Authoritative,
    }

    /// <summary>One input checked against one zone. Flat, so that Export-Csv writes every column.</summary>
    public sealed class DnsblResult
    {
        public string Input { get; set; }
        /// <summary>IPv4, IPv6 or Domain.</summary>
        public string InputKind { get; set; }
        /// <summary>The zone's catalogue name (for DQS, the public name, never the key).</summary>
        public string Zone { get; set; }
        public string ZoneName { get; set; }
        public DnsblStatus Status { get; set; }
        /// <summary>True only for a verdict listing.</summary>
        public bool Listed { get; set; }
        /// <summary>Returned addresses, "; "-separated.</summary>
        public string ReturnCodes { get; set; }
        /// <summary>What the codes mean, localized.</summary>
        public string Meaning { get; set; }
        /// <summary>Verdict, Policy, Info or Error, "; "-separated as the codes.</summary>
        public string Category { get; set; }
        /// <summary>Kind of listing: Spam, Compromise, Dynamic, NoPtr, PublicResolver... "; "-separated.</summary>
        public string Tag { get; set; }
        /// <summary>The list's TXT text for a hit, with control characters neutralized.</summary>
        public string Reason { get; set; }
        /// <summary>The list's lookup page for this input. Built when read, from the catalogue's
        /// template: a scan may keep 200,000 results, and a URL per result was a third of each.</summary>
        public string LookupUrl
        {
            get => _lookupUrl ?? (_lookupUrlTemplate == null ? string.Empty
                : _lookupUrlTemplate.Replace("{0}", System.Uri.EscapeDataString(Input ?? string.Empty)));
            set => _lookupUrl = value;
        }
        private string _lookupUrl, _lookupUrlTemplate;

        /// <summary>The catalogue's lookup URL with {0} for the input; used while LookupUrl is unset.</summary>
        internal string LookupUrlTemplate { set => _lookupUrlTemplate = value; }
        public double ResponseTimeMs { get; set; }
        /// <summary>The server asked: the resolver, or for Via Authoritative the list's own server.</summary>
        public string Resolver { get; set; }
        /// <summary>Resolver, or Authoritative when the list's own servers were asked directly.</summary>
        public DnsblVia Via { get; set; }
        /// <summary>Why the result is an Error, ZoneUnhealthy or NotApplicable, localized.</summary>
        public string Detail { get; set; }
        /// <summary>With -Baseline: New, Delisted, Unchanged or Unknown (see <see cref="MailBlacklist.Engine.Baseline.Change"/>).</summary>
        public string Change { get; set; }
        /// <summary>With -Baseline: when this status was first seen, UTC, ISO 8601.</summary>
        public string Since { get; set; }

        /// <summary>How the A query ended; for the module's own warnings, not part of the output.</summary>
        internal MailBlacklist.Engine.Dns.DnsOutcome Outcome { get; set; }
        /// <summary>ZoneUnhealthy because the resolver says the zone does not exist: a resolver that
        /// cannot see the internet, whose other NXDOMAIN answers are no evidence either.</summary>
        internal bool ZoneMissing { get; set; }
        /// <summary>ZoneUnhealthy because its test points got forged answers.</summary>
        internal bool Forged { get; set; }
    }
}
