using System.Net;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>The From domain's DMARC record (DmarcCheck finds it) and what it makes of the SPF
    /// results and DKIM keys: missing, failing under an enforcing policy, unknown (SPF could not
    /// be evaluated), or Ok.</summary>
    internal sealed class DmarcPolicyCheck
    {
        private readonly DmarcCheck _dmarc;

        public DmarcPolicyCheck(DmarcCheck dmarc) { _dmarc = dmarc; }

        public void Conclude(FindingList findings, string domain, DmarcRecord dmarc, SpfEvaluation spfRecord, Dictionary<IPAddress, SpfResult> spf,
            bool bounceSaysDmarc, DmarcAlignment alignment)
        {
            if (dmarc == null) return;
            string name = "_dmarc." + dmarc.Domain + (dmarc.Inherited ? " (" + findings.T("Diagnosis_Ev_DmarcInherited", domain, dmarc.Domain) + ")" : string.Empty);
            string shown = name + " \"" + dmarc.Text + "\"";
            switch (dmarc.Status)
            {
                case DmarcStatus.DnsFailure:
                    findings.Add(CheckNames.Dmarc, domain, CauseCodes.DnsFailure, name + " TXT: " + findings.Outcome(dmarc.Outcome));
                    return;
                case DmarcStatus.None:
                    findings.Add(CheckNames.Dmarc, domain, CauseCodes.DmarcMissing, findings.T("Diagnosis_Ev_NoDmarc", name));
                    return;
                case DmarcStatus.Multiple:
                    findings.Add(CheckNames.Dmarc, domain, CauseCodes.DmarcMissing, findings.T("Diagnosis_Ev_DmarcMultiple", name, dmarc.Text));
                    return;
            }
            if (dmarc.EffectivePolicy.Length == 0)
            {
                findings.Add(CheckNames.Dmarc, domain, CauseCodes.DmarcMissing, findings.T("Diagnosis_Ev_DmarcNoPolicy", name, dmarc.Text));
                return;
            }
            // A temperror (or an unknown result) is no SPF failure: the check could not be made, so the
            // address's alignment is unknown, not failing.
            Func<KeyValuePair<IPAddress, SpfResult>, string> show = p => p.Key.ToString() + " spf=" + p.Value.ToString().ToLowerInvariant();
            // An SPF pass counts for DMARC only when the envelope domain is aligned with From.
            bool spfAligned = _dmarc.Aligned(alignment.EnvelopeDomain, domain, dmarc.StrictSpf);
            var failing = spf.Where(p => (p.Value != SpfResult.Pass || !spfAligned) && !NotEvaluated(p.Value))
                .Select(p => show(p) + (p.Value == SpfResult.Pass
                    ? " " + findings.T("Diagnosis_Ev_SpfNotAligned", alignment.EnvelopeDomain, domain, dmarc.StrictSpf ? "aspf=s" : "aspf=r") : string.Empty)).ToList();
            var unknown = spf.Where(p => NotEvaluated(p.Value)).Select(show).ToList();
            bool enforcing = dmarc.EffectivePolicy == "reject" || dmarc.EffectivePolicy == "quarantine";
            if (bounceSaysDmarc || (enforcing && failing.Count > 0 && !alignment.DkimPasses))
            {
                string evidence = shown + (failing.Count > 0 ? " | " + string.Join(", ", failing) : string.Empty) + " | " + alignment.DkimSummary();
                findings.Add(CheckNames.Dmarc, domain, CauseCodes.DmarcFail, evidence, enforcing ? DiagnosisSeverity.Critical : DiagnosisSeverity.Warning);
                return;
            }
            // No address to judge and an SPF record that could not be read whole: alignment is unknown too.
            bool spfFailed = spfRecord == null || spfRecord.Status == SpfRecordStatus.DnsFailure
                || spfRecord.Problems.Any(p => p.Code == MailServerProblemCode.SpfDnsFailure);
            if (unknown.Count > 0 || (spf.Count == 0 && spfFailed))
            {
                string why = unknown.Count > 0 ? string.Join(", ", unknown) : findings.T("Diagnosis_Ev_SpfNotRead", domain);
                findings.Add(CheckNames.Dmarc, domain, CauseCodes.DnsFailure, shown + " | " + findings.T("Diagnosis_Ev_DmarcSpfUnknown", why));
                return;
            }
            findings.Add(CheckNames.Dmarc, domain, CauseCodes.Ok, shown);
        }

        /// <summary>SPF results that say nothing about the address: the check could not be made.</summary>
        private static bool NotEvaluated(SpfResult r) => r == SpfResult.TempError || r == SpfResult.Unknown;
    }
}
