#nullable enable
namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Every cause code a diagnosis finding can carry (DiagnosisFinding.CauseCode), in one
    /// place. Each has Cause_&lt;code&gt; and Fix_&lt;code&gt; texts in en-US and ja-JP, an entry in
    /// diagnosis-rules.json's causeUrls, and the engine tests hold all three against this list.
    /// Strings rather than an enum: the codes are the public, stable values users filter and
    /// export (Where-Object CauseCode -eq 'BlocklistPolicy', CSV columns).</summary>
    public static class CauseCodes
    {
        public const string BlocklistVerdict = nameof(BlocklistVerdict);
        public const string BlocklistCompromise = nameof(BlocklistCompromise);
        public const string BlocklistPolicy = nameof(BlocklistPolicy);
        public const string BlocklistInfo = nameof(BlocklistInfo);
        public const string BlocklistReported = nameof(BlocklistReported);
        public const string SharedServer = nameof(SharedServer);
        public const string ReceiverResolverRefused = nameof(ReceiverResolverRefused);
        public const string ReceiverReputation = nameof(ReceiverReputation);
        public const string PtrMissing = nameof(PtrMissing);
        public const string PtrNotForwardConfirmed = nameof(PtrNotForwardConfirmed);
        public const string SpfMissing = nameof(SpfMissing);
        public const string SpfNotAuthorized = nameof(SpfNotAuthorized);
        public const string SpfInvalid = nameof(SpfInvalid);
        public const string DmarcMissing = nameof(DmarcMissing);
        public const string DmarcFail = nameof(DmarcFail);
        public const string DkimMissing = nameof(DkimMissing);
        public const string DkimInvalid = nameof(DkimInvalid);
        public const string DkimNotAligned = nameof(DkimNotAligned);
        public const string MxMissing = nameof(MxMissing);
        public const string DomainNotFound = nameof(DomainNotFound);
        public const string RecipientProblem = nameof(RecipientProblem);
        public const string ContentRejected = nameof(ContentRejected);
        public const string BounceOther = nameof(BounceOther);
        public const string NotABounce = nameof(NotABounce);
        /// <summary>A lookup failed: "could not check", never a verdict.</summary>
        public const string DnsFailure = nameof(DnsFailure);
        public const string InsufficientEvidence = nameof(InsufficientEvidence);
        public const string Ok = nameof(Ok);

        /// <summary>All codes, for tests and for tools that list them.</summary>
        public static readonly string[] All =
        {
            BlocklistVerdict, BlocklistCompromise, BlocklistPolicy, BlocklistInfo, BlocklistReported, SharedServer,
            ReceiverResolverRefused, ReceiverReputation, PtrMissing, PtrNotForwardConfirmed, SpfMissing, SpfNotAuthorized,
            SpfInvalid, DmarcMissing, DmarcFail, DkimMissing, DkimInvalid, DkimNotAligned, MxMissing, DomainNotFound,
            RecipientProblem, ContentRejected, BounceOther, NotABounce, DnsFailure, InsufficientEvidence, Ok,
        };
    }
}
