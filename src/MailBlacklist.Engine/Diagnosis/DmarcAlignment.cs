namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>What DMARC's verdict rests on besides SPF: the envelope domain SPF judged (for SPF
    /// alignment) and the DKIM conclusions (a key aligned with From, named by the message's own
    /// signature, lets DMARC pass even when SPF fails).</summary>
    internal sealed class DmarcAlignment
    {
        public DmarcAlignment(string envelopeDomain, string fromDomain, List<CheckResult> dkim, bool dkimPasses)
        {
            EnvelopeDomain = string.IsNullOrEmpty(envelopeDomain) ? fromDomain : envelopeDomain;
            Dkim = dkim ?? new List<CheckResult>();
            DkimPasses = dkimPasses;
        }

        public string EnvelopeDomain { get; }
        public List<CheckResult> Dkim { get; }
        public bool DkimPasses { get; }

        /// <summary>The DKIM conclusions in one line: "dkim selector1._domainkey.x: Ok, ...".</summary>
        public string DkimSummary() => Dkim.Count == 0 ? "dkim=?" : "dkim " + string.Join(", ", Dkim.Select(d => d.Target + ": " + d.Cause));
    }
}
