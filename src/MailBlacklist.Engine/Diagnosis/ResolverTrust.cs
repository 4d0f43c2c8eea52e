using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Whether the command's resolver can be believed, judged from the blocklist answers of
    /// each case. A resolver caught forging is not believed about anything, for the rest of the
    /// command; one that cannot see the internet is not believed about absence. Either way its
    /// answers become DnsFailure findings, never a cause.</summary>
    internal sealed class ResolverTrust
    {
        /// <summary>Findings that rest on a "does not exist" (NXDOMAIN or no record) answer.</summary>
        private static readonly HashSet<string> AbsenceCauses = new HashSet<string>
            { CauseCodes.DomainNotFound, CauseCodes.PtrMissing, CauseCodes.PtrNotForwardConfirmed, CauseCodes.SpfMissing, CauseCodes.DmarcMissing, CauseCodes.MxMissing };

        private readonly CultureInfo _culture;
        /// <summary>Why the command's resolver is known to forge answers (null until it is caught).</summary>
        private volatile string _forgery;

        public ResolverTrust(CultureInfo culture) { _culture = culture; }

        public IReadOnlyList<DiagnosisFinding> Judge(List<DiagnosisFinding> findings, List<DnsblResult> lists)
        {
            var asked = lists.Where(r => r.Status != DnsblStatus.NotApplicable).ToList();
            // A resolver caught forging (every list's test points answered where nothing can be
            // listed) is not believed about anything else either, in this case or any later one of
            // the command: what it said about PTR, SPF, DMARC and MX becomes DnsFailure, never a cause.
            if (asked.Count > 0 && asked.All(r => r.Forged)) _forgery = _forgery ?? asked[0].Detail;
            string forgery = _forgery;
            if (forgery != null)
                return findings.Select(f => f.Check == CheckNames.Bounce || f.CauseCode == CauseCodes.DnsFailure ? f
                    : Unknown(f, Messages.Format("Diagnosis_Ev_ResolverForging", _culture, forgery))).ToList();
            // A resolver that says every blocklist zone does not exist cannot see the internet (a
            // sandbox, a captive or filtering resolver): its "no such domain / no PTR / no record"
            // answers are no evidence either, so those findings become DnsFailure, never a cause.
            if (asked.Count == 0 || !asked.All(r => r.ZoneMissing)) return findings;
            return findings.Select(f => AbsenceCauses.Contains(f.CauseCode) ? Unknown(f, Messages.Get("Diagnosis_Ev_ResolverBlind", _culture)) : f).ToList();
        }

        private DiagnosisFinding Unknown(DiagnosisFinding f, string why) =>
            FindingList.Create(f.Input, f.Target, f.Check, CauseCodes.DnsFailure, f.Evidence + " | " + why, _culture);
    }
}
