namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>The values of DiagnosisFinding.Check: which check a finding comes from. Stable
    /// English, like the cause codes (baselines and reports key on them).</summary>
    public static class CheckNames
    {
        public const string Bounce = nameof(Bounce);
        public const string Domain = nameof(Domain);
        public const string SendingIp = nameof(SendingIp);
        public const string IpBlocklist = nameof(IpBlocklist);
        public const string DomainBlocklist = nameof(DomainBlocklist);
        public const string SharedServer = nameof(SharedServer);
        public const string Ptr = nameof(Ptr);
        public const string Spf = nameof(Spf);
        public const string Dmarc = nameof(Dmarc);
        public const string Dkim = nameof(Dkim);
        public const string Mx = nameof(Mx);
    }
}
