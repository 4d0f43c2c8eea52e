using Causes = MailBlacklist.Engine.Diagnosis.CauseCodes;   // this class has a CauseCodes member of its own

namespace MailBlacklist.Engine.Requests
{
    /// <summary>Who must act on each cause code. The hosting company or ISP owns the address (shared
    /// server, compromise, SBL: Spamhaus takes SBL removal only from them); the receiver owns its own
    /// block list and its resolver; the sender's own team owns PBL routing, SPF, DMARC, PTR requests.</summary>
    public static class RequestParties
    {
        public const string Hosting = "Hosting";
        public const string Receiver = "Receiver";
        public const string Self = "Self";

        /// <summary>Priority when several apply: the party that can lift a block first.</summary>
        public static readonly string[] Order = { Hosting, Receiver, Self };

        private static readonly Dictionary<string, string> ByCause = new Dictionary<string, string>
        {
            [Causes.BlocklistVerdict] = Hosting,
            [Causes.BlocklistCompromise] = Hosting,
            [Causes.BlocklistReported] = Hosting,
            [Causes.SharedServer] = Hosting,
            [Causes.ReceiverReputation] = Receiver,
            [Causes.ReceiverResolverRefused] = Receiver,
            [Causes.BlocklistPolicy] = Self,
            [Causes.PtrMissing] = Self,
            [Causes.PtrNotForwardConfirmed] = Self,
            [Causes.SpfMissing] = Self,
            [Causes.SpfNotAuthorized] = Self,
            [Causes.SpfInvalid] = Self,
            [Causes.DmarcMissing] = Self,
            [Causes.DmarcFail] = Self,
            [Causes.MxMissing] = Self,
        };

        /// <summary>The party for a cause code; null for causes nobody needs to be asked about
        /// (recipient problems, content, checks that passed or could not run).</summary>
        public static string For(string causeCode) =>
            causeCode != null && ByCause.TryGetValue(causeCode, out var party) ? party : null;

        public static IEnumerable<string> CauseCodes => ByCause.Keys;
    }
}
