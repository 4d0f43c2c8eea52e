namespace MailBlacklist
{
    /// <summary>How bad a finding is. Ok is a check that ran and passed; a check that could not run
    /// is never Ok (it is a DnsFailure finding with severity Warning).</summary>
    public enum DiagnosisSeverity { Critical, Warning, Info, Ok }

    /// <summary>One conclusion of Invoke-MailDeliveryDiagnosis. Flat (strings and an enum only), so
    /// that findings of many domains concatenate into one CSV that a script can diff night to night.</summary>
    public sealed class DiagnosisFinding
    {
        /// <summary>What the command was given: the bounce file, the domain or the address.</summary>
        public string Input { get; set; } = string.Empty;
        /// <summary>What this finding is about: an address, a domain, a host name or a recipient.</summary>
        public string Target { get; set; } = string.Empty;
        /// <summary>The check that produced it: Bounce, IpBlocklist, DomainBlocklist, SharedServer,
        /// Ptr, Spf, Dkim, Dmarc, Mx, SendingIp.</summary>
        public string Check { get; set; } = string.Empty;
        public DiagnosisSeverity Severity { get; set; }
        /// <summary>Stable English code, documented in about_MailBlacklist_Causes.</summary>
        public string CauseCode { get; set; } = string.Empty;
        /// <summary>What the cause means, localized.</summary>
        public string Cause { get; set; } = string.Empty;
        /// <summary>The facts: list and code, TXT, record text, bounce line.</summary>
        public string Evidence { get; set; } = string.Empty;
        /// <summary>What to do, localized: who to contact, what first, how long it takes.</summary>
        public string Fix { get; set; } = string.Empty;
        /// <summary>The page to act on: the list's lookup/removal page, the receiver's sender portal.</summary>
        public string Url { get; set; } = string.Empty;
        /// <summary>With -Baseline: New, Unchanged, or Resolved for a problem of the baseline that is gone.</summary>
        public string Change { get; set; } = string.Empty;
        /// <summary>With -Baseline: when this finding was first seen, UTC, ISO 8601.</summary>
        public string Since { get; set; } = string.Empty;

        public override string ToString() => Target + " " + Check + ": " + CauseCode;
    }
}
