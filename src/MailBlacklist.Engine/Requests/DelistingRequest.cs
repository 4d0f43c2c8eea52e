namespace MailBlacklist
{
    /// <summary>A ready-to-send message for whoever must act on a delivery problem. Subject and Body
    /// are plain text in the UI culture, so the object pipes into any mail cmdlet.</summary>
    public sealed class DelistingRequest
    {
        /// <summary>Who the message is for: Hosting (hosting company or ISP), Receiver (the
        /// receiver's postmaster) or Self (the sender's own mail or DNS team).</summary>
        public string To { get; set; } = string.Empty;
        public string Subject { get; set; } = string.Empty;
        [MultiLineText]
        public string Body { get; set; } = string.Empty;
        /// <summary>The sending addresses the message is about, comma-separated.</summary>
        public string IPAddress { get; set; } = string.Empty;
        /// <summary>The cause codes the message answers, comma-separated.</summary>
        public string CauseCode { get; set; } = string.Empty;
        /// <summary>Other parties the same findings also call for (use -To to write theirs).</summary>
        public string AlsoFor { get; set; } = string.Empty;

        public override string ToString() => Subject;
    }
}
