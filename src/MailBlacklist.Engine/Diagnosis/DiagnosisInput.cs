using System.Net;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>One case to diagnose: the bounces of one message, a domain, sending addresses, or any
    /// combination of them.</summary>
    public sealed class DiagnosisInput
    {
        /// <summary>What the user gave (file, domain or address), written as each finding's Input.</summary>
        public string Label { get; set; } = string.Empty;
        /// <summary>The failed recipients of one bounce message (empty for domain or address input).</summary>
        public IReadOnlyList<BounceReason> Bounces { get; set; } = new BounceReason[0];
        /// <summary>A normalized domain, or null: then the bounce's sender domain is used, if any.</summary>
        public string Domain { get; set; }
        /// <summary>Addresses the user says send the mail; with none, the bounce's or the SPF record's.</summary>
        public IReadOnlyList<IPAddress> Addresses { get; set; } = new IPAddress[0];
    }
}
