namespace MailBlacklist.Engine.Dnsbl
{
    public enum ZoneHealthState
    {
        /// <summary>Test points answered as they should.</summary>
        Healthy,
        /// <summary>No test points, or they could not be asked (timeout, SERVFAIL): each answer stands on its own.</summary>
        Unknown,
        /// <summary>Test points failed: the zone lists everything, nothing, or answers outside 127/8.</summary>
        Unhealthy,
        /// <summary>The zone answers its test point with an error code (public resolver refused, rate
        /// limit, bad key): every answer from it now would be that error.</summary>
        Refusing,
    }

    public sealed class ZoneHealth
    {
        public ZoneHealthState State { get; set; }
        /// <summary>Localized reason for Unhealthy or Refusing.</summary>
        public string Reason { get; set; } = string.Empty;
        /// <summary>For Refusing: the error answer, reported as each input's result.</summary>
        public Verdict Refusal { get; set; }
        /// <summary>Unhealthy because the resolver says the zone itself does not exist.</summary>
        internal bool ZoneMissing { get; set; }
        /// <summary>The resolver's refusal seen at the test points ("REFUSED" or the list's refused
        /// code), or null.</summary>
        internal string RefusedBy { get; set; }
        /// <summary>That refusal as a localized sentence, for a result's Detail.</summary>
        internal string RefusedDetail { get; set; }
        /// <summary>The zone's own servers, when they are asked instead of the refused resolver.</summary>
        internal MailBlacklist.Engine.Dns.DirectRoute Route { get; set; }
    }
}
