using System.Net;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.MailServers
{
    public enum DmarcStatus { Found, None, Multiple, DnsFailure }

    /// <summary>The DMARC record at _dmarc.&lt;domain&gt; (RFC 7489). The organizational-domain
    /// fallback is Diagnosis.DmarcCheck's: this class reads one name.</summary>
    public sealed class DmarcRecord
    {
        internal DmarcRecord(string domain) { Domain = domain; }
        public string Domain { get; }
        /// <summary>The domain the record is applied to: Domain itself, or a subdomain of it that has
        /// no record of its own (then SubdomainPolicy applies).</summary>
        public string AppliesTo { get => _appliesTo ?? Domain; internal set => _appliesTo = value; }
        private string _appliesTo;
        /// <summary>True when the record was found at the organizational domain for a subdomain.</summary>
        public bool Inherited => !string.Equals(AppliesTo, Domain, StringComparison.OrdinalIgnoreCase);
        /// <summary>The policy receivers apply to AppliesTo.</summary>
        public string EffectivePolicy => Inherited ? SubdomainPolicy : Policy;
        /// <summary>adkim=s / aspf=s: strict alignment (relaxed when absent).</summary>
        public bool StrictDkim => Tags.TryGetValue("adkim", out var m) && m.Trim().Equals("s", StringComparison.OrdinalIgnoreCase);
        public bool StrictSpf => Tags.TryGetValue("aspf", out var m) && m.Trim().Equals("s", StringComparison.OrdinalIgnoreCase);
        public DmarcStatus Status { get; internal set; }
        public DnsOutcome Outcome { get; internal set; }
        public string Text { get; internal set; } = string.Empty;
        /// <summary>p= (none, quarantine, reject); empty when missing or invalid.</summary>
        public string Policy { get; internal set; } = string.Empty;
        /// <summary>sp=; the p= value when sp= is absent (RFC 7489 6.3).</summary>
        public string SubdomainPolicy { get; internal set; } = string.Empty;
        /// <summary>pct= (0-100), 100 when absent.</summary>
        public int Percent { get; internal set; } = 100;
        /// <summary>rua= as written.</summary>
        public string AggregateReportUri { get; internal set; } = string.Empty;
        /// <summary>All tags, lower-case names.</summary>
        public IReadOnlyDictionary<string, string> Tags { get; internal set; } = new Dictionary<string, string>();

        public static async Task<DmarcRecord> LookupAsync(QueryService queries, string domain, CancellationToken cancellationToken)
        {
            var record = new DmarcRecord(domain);
            var answer = await queries.QueryAsync("_dmarc." + domain, DnsRecordType.Txt, cancellationToken).ConfigureAwait(false);
            record.Outcome = answer.Outcome;
            if (!answer.IsDefinite) { record.Status = DmarcStatus.DnsFailure; return record; }
            var texts = answer.Texts.Where(t => t.TrimStart().StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase)).ToList();
            if (texts.Count == 0) { record.Status = DmarcStatus.None; return record; }
            if (texts.Count > 1) { record.Status = DmarcStatus.Multiple; record.Text = string.Join("; ", texts); return record; }
            record.Status = DmarcStatus.Found;
            record.Text = texts[0].Trim();
            var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string part in record.Text.Split(';'))
            {
                int eq = part.IndexOf('=');
                if (eq <= 0) continue;
                string name = part.Substring(0, eq).Trim().ToLowerInvariant();
                if (!tags.ContainsKey(name)) tags[name] = part.Substring(eq + 1).Trim();
            }
            record.Tags = tags;
            string[] policies = { "none", "quarantine", "reject" };
            if (tags.TryGetValue("p", out var p) && policies.Contains(p.ToLowerInvariant())) record.Policy = p.ToLowerInvariant();
            record.SubdomainPolicy = tags.TryGetValue("sp", out var sp) && policies.Contains(sp.ToLowerInvariant()) ? sp.ToLowerInvariant() : record.Policy;
            if (tags.TryGetValue("pct", out var pct) && int.TryParse(pct, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 100) record.Percent = n;
            if (tags.TryGetValue("rua", out var rua)) record.AggregateReportUri = rua;
            return record;
        }
    }
}
