namespace MailBlacklist
{
    /// <summary>Why one recipient of one message was not delivered (or what kind of message it is, for
    /// messages that are not bounces). Flat, so that Export-Csv writes every column; IPAddress has the
    /// name of Test-Dnsbl's parameter so that the object pipes straight into it.</summary>
    public sealed class BounceReason
    {
        /// <summary>The file the message came from; empty for -Message input.</summary>
        public string Path { get; set; }
        /// <summary>1-based position of the message in an mbox file; 1 for a single message.</summary>
        public int MessageNumber { get; set; }
        public string Recipient { get; set; }
        /// <summary>A sisimai reason name in PascalCase (UserUnknown, Blocked, ...), or one of this
        /// module's own: ReceiverDnsblError (the receiver's blocklist lookups fail, not a listing of
        /// the sender), NotABounce (an ordinary message) and Delayed (a warning that delivery is still
        /// being retried, when it gives no cause).</summary>
        public string Reason { get; set; }
        /// <summary>RFC 3463 enhanced status code such as 5.1.1, when the message gives one.</summary>
        public string Status { get; set; }
        /// <summary>SMTP reply code such as 550, when the message gives one.</summary>
        public string ReplyCode { get; set; }
        /// <summary>The SMTP command the receiver's reply answered (CONN, HELO, MAIL, RCPT, DATA), when
        /// the report says: a refusal at RCPT is about the address, at DATA or later about the message.</summary>
        public string Command { get; set; }
        /// <summary>RFC 3464 action: failed, delayed, delivered, relayed, expanded.</summary>
        public string Action { get; set; }
        public string RemoteMta { get; set; }
        public string ReportingMta { get; set; }
        /// <summary>The receiver's own words, with control characters neutralized.</summary>
        public string DiagnosticText { get; set; }
        /// <summary>Date of the bounce (or of the last attempt), as written in the message.</summary>
        public string Date { get; set; }
        /// <summary>True when retrying the same address cannot succeed (the address or domain is wrong).</summary>
        public bool HardBounce { get; set; }
        /// <summary>The sending server's address, when the text or the returned headers show it.</summary>
        public string IPAddress { get; set; }
        /// <summary>The blocklist the receiver named, such as zen.spamhaus.org or Barracuda Reputation.</summary>
        public string Blocklist { get; set; }
        /// <summary>The receiver's own code, such as S3150, BL21, AS(...) or 5.7.606.</summary>
        public string ProviderCode { get; set; }
        /// <summary>A lookup or removal address given in the text.</summary>
        public string Url { get; set; }
        /// <summary>What the reason usually means, localized.</summary>
        public string Cause { get; set; }
        /// <summary>What to do next, localized.</summary>
        public string Fix { get; set; }

        /// <summary>What the message shows of the sender, for the diagnosis; null for a pasted reply
        /// without headers and for objects not made by the parser. Internal: no output column.</summary>
        internal Engine.Bounces.SenderFacts Sender { get; set; }

        public override string ToString() => $"{Recipient}: {Reason}";
    }
}
