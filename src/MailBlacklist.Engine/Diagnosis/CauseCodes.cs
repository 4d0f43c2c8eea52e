#nullable enable

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>One row of the cause table: the code, the severity a finding with it usually has,
    /// the page it points to when nothing more specific is known (a list's lookup page, a
    /// receiver's portal), and its two message keys.</summary>
    public sealed class CauseCode
    {
        internal CauseCode(string code, DiagnosisSeverity severity, string url = "")
        {
            Code = code; Severity = severity; Url = url;
        }
        public string Code { get; }
        /// <summary>The usual severity; a check that knows better (an enforcing DMARC policy, a
        /// bounce rule) gives its own.</summary>
        public DiagnosisSeverity Severity { get; }
        /// <summary>The default page; empty when there is none.</summary>
        public string Url { get; }
        /// <summary>What the cause means (DiagnosisStrings*.resx).</summary>
        public string CauseKey => "Cause_" + Code;
        /// <summary>What to do about it (DiagnosisStrings*.resx).</summary>
        public string FixKey => "Fix_" + Code;
    }

    /// <summary>Every cause code a diagnosis finding can carry (DiagnosisFinding.CauseCode), in one
    /// table. Adding a code touches this table, the two DiagnosisStrings resx files and the two
    /// about_MailBlacklist_Causes topics; the engine tests hold all of them against the table.
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

        private const string Rfc = "https://www.rfc-editor.org/rfc/";

        /// <summary>The table, in the order about_MailBlacklist_Causes explains the codes.</summary>
        public static readonly IReadOnlyList<CauseCode> Table = new[]
        {
            new CauseCode(BlocklistVerdict, DiagnosisSeverity.Critical),
            new CauseCode(BlocklistCompromise, DiagnosisSeverity.Critical),
            new CauseCode(BlocklistPolicy, DiagnosisSeverity.Critical, "https://www.spamhaus.org/blocklists/policy-blocklist/"),
            new CauseCode(BlocklistInfo, DiagnosisSeverity.Info),
            new CauseCode(BlocklistReported, DiagnosisSeverity.Critical),
            new CauseCode(SharedServer, DiagnosisSeverity.Warning),
            new CauseCode(ReceiverResolverRefused, DiagnosisSeverity.Info,
                "https://www.spamhaus.org/resource-hub/email-security/if-you-query-the-legacy-dnsbls-via-large-free-dns-servers-you-may-experience-problems/"),
            new CauseCode(ReceiverReputation, DiagnosisSeverity.Critical, "https://sender.office.com/"),
            new CauseCode(PtrMissing, DiagnosisSeverity.Critical, "https://support.google.com/a/answer/81126"),
            new CauseCode(PtrNotForwardConfirmed, DiagnosisSeverity.Warning, "https://support.google.com/a/answer/81126"),
            new CauseCode(SpfMissing, DiagnosisSeverity.Warning, Rfc + "rfc7208"),
            new CauseCode(SpfNotAuthorized, DiagnosisSeverity.Critical, Rfc + "rfc7208"),
            new CauseCode(SpfInvalid, DiagnosisSeverity.Critical, Rfc + "rfc7208#section-4.6.4"),
            new CauseCode(DmarcMissing, DiagnosisSeverity.Warning, Rfc + "rfc7489"),
            new CauseCode(DmarcFail, DiagnosisSeverity.Critical, Rfc + "rfc7489"),
            new CauseCode(DkimMissing, DiagnosisSeverity.Warning, Rfc + "rfc6376#section-3.6"),
            new CauseCode(DkimInvalid, DiagnosisSeverity.Critical, Rfc + "rfc6376#section-3.6.1"),
            new CauseCode(DkimNotAligned, DiagnosisSeverity.Warning, Rfc + "rfc7489#section-3.1.1"),
            new CauseCode(MxMissing, DiagnosisSeverity.Critical, Rfc + "rfc5321#section-5.1"),
            new CauseCode(DomainNotFound, DiagnosisSeverity.Critical),
            new CauseCode(RecipientProblem, DiagnosisSeverity.Warning, Rfc + "rfc3463"),
            new CauseCode(ContentRejected, DiagnosisSeverity.Warning),
            new CauseCode(BounceOther, DiagnosisSeverity.Warning),
            new CauseCode(NotABounce, DiagnosisSeverity.Info),
            new CauseCode(DnsFailure, DiagnosisSeverity.Warning),
            new CauseCode(InsufficientEvidence, DiagnosisSeverity.Info),
            new CauseCode(Ok, DiagnosisSeverity.Ok),
        };

        private static readonly Dictionary<string, CauseCode> ByCode = Table.ToDictionary(c => c.Code, StringComparer.Ordinal);

        /// <summary>All codes, for tests and for tools that list them.</summary>
        public static readonly string[] All = Table.Select(c => c.Code).ToArray();

        /// <summary>The row of a code; an unknown code is a programming error, not input.</summary>
        public static CauseCode Get(string code) =>
            ByCode.TryGetValue(code, out var row) ? row : throw new ArgumentException("Unknown cause code '" + code + "'.", nameof(code));

        /// <summary>The default page of a code.</summary>
        public static string UrlFor(string code) => Get(code).Url;
    }
}
