using MailBlacklist.Engine;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist
{
    /// <summary>A catalogue entry as Get-DnsblZone shows it: flat, localized.</summary>
    public sealed class DnsblZone
    {
        public string Name { get; set; }
        public string DisplayName { get; set; }
        /// <summary>IPv4, IPv6, Domain, comma-separated.</summary>
        public string Kinds { get; set; }
        public bool EnabledByDefault { get; set; }
        public bool NeedsKey { get; set; }
        public string LookupUrl { get; set; }
        public string RemovalInfo { get; set; }
        public long FreeQueriesPerDay { get; set; }
        public string Verified { get; set; }
        public string Source { get; set; }
        /// <summary>Each code with its category and meaning, "; "-separated.</summary>
        public string Codes { get; set; }
        public string TestPoints { get; set; }
        /// <summary>Answers by which the list refuses a resolver, "; "-separated.</summary>
        public string RefusedCodes { get; set; }
        /// <summary>Whether the list's terms allow asking its own servers directly.</summary>
        public bool DirectQueries { get; set; }

        public static DnsblZone From(CatalogZone zone, CultureInfo culture) => new DnsblZone
        {
            Name = zone.Name,
            DisplayName = zone.DisplayName,
            Kinds = zone.KindSet.ToString(),
            EnabledByDefault = zone.EnabledByDefault,
            NeedsKey = zone.NeedsKey,
            LookupUrl = zone.LookupUrl ?? string.Empty,
            RemovalInfo = Messages.Pick(zone.RemovalInfo, zone.RemovalInfoJa, culture),
            FreeQueriesPerDay = zone.FreeQueriesPerDay,
            Verified = zone.Verified ?? string.Empty,
            Source = zone.Source ?? string.Empty,
            Codes = string.Join("; ", zone.Codes.Select(c =>
                (c.Address != null ? c.Code : "mask " + c.Mask.ToString(CultureInfo.InvariantCulture)) + " " + c.Category + " " + Messages.Pick(c.Meaning, c.MeaningJa, culture))),
            TestPoints = string.Join("; ", zone.TestPoints.Select(t => t.Query + " " + t.Expect)),
            RefusedCodes = string.Join("; ", zone.RefusedAddresses),
            DirectQueries = zone.AllowsDirectQueries,
        };
    }
}
