using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>DMARC as receivers look it up (RFC 7489 6.6.3): the record at _dmarc of the From
    /// domain, else at _dmarc of its organizational domain (Public Suffix List), whose sp= then
    /// applies; and identifier alignment (3.1) in relaxed and strict modes.</summary>
    public sealed class DmarcCheck
    {
        private readonly QueryService _queries;
        public PublicSuffixList Suffixes { get; }

        public DmarcCheck(QueryService queries, PublicSuffixList suffixes)
        {
            _queries = queries;
            Suffixes = suffixes;
        }

        /// <summary>The record that applies to <paramref name="domain"/>: its own, or (when it has none)
        /// its organizational domain's. A lookup failure at the exact name is a failure, not "none".</summary>
        public async Task<DmarcRecord> LookupAsync(string domain, CancellationToken ct)
        {
            var exact = await DmarcRecord.LookupAsync(_queries, domain, ct).ConfigureAwait(false);
            if (exact.Status != DmarcStatus.None || Suffixes == null) return exact;
            string org = Suffixes.OrganizationalDomain(domain);
            if (org == null || string.Equals(org, domain, StringComparison.OrdinalIgnoreCase)) return exact;
            var inherited = await DmarcRecord.LookupAsync(_queries, org, ct).ConfigureAwait(false);
            if (inherited.Status == DmarcStatus.None) return exact;
            inherited.AppliesTo = domain;
            return inherited;
        }

        /// <summary>Whether two domains are aligned: equal (strict), or with the same organizational
        /// domain (relaxed, the default).</summary>
        public bool Aligned(string identity, string fromDomain, bool strict)
        {
            if (string.IsNullOrEmpty(identity) || string.IsNullOrEmpty(fromDomain)) return false;
            identity = identity.TrimEnd('.'); fromDomain = fromDomain.TrimEnd('.');
            if (string.Equals(identity, fromDomain, StringComparison.OrdinalIgnoreCase)) return true;
            if (strict || Suffixes == null) return false;
            string a = Suffixes.OrganizationalDomain(identity), b = Suffixes.OrganizationalDomain(fromDomain);
            return a != null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        }
    }
}
