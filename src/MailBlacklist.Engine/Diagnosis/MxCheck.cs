using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Whether the domain can receive mail (its MX hosts, as MailServerDiscovery looked them
    /// up, resolve): receivers refuse senders whose domain cannot take replies and bounces.</summary>
    internal static class MxCheck
    {
        public static void Conclude(FindingList findings, string domain, MxResult mx)
        {
            if (mx == null) return;
            switch (mx.Status)
            {
                case MxStatus.DnsFailure:
                    findings.Add(CheckNames.Mx, domain, CauseCodes.DnsFailure, domain + " MX: " + findings.Outcome(mx.Outcome));
                    return;
                case MxStatus.NullMx:
                    findings.Add(CheckNames.Mx, domain, CauseCodes.MxMissing, findings.T("Diagnosis_Ev_NullMx", domain), DiagnosisSeverity.Warning);
                    return;
                case MxStatus.NoMailRecords:
                    findings.Add(CheckNames.Mx, domain, CauseCodes.MxMissing, findings.T("Diagnosis_Ev_NoMailRecords", domain));
                    return;
                case MxStatus.NxDomain:
                    return;
            }
            string chain = string.Join("; ", mx.Hosts.Select(h => (h.Preference >= 0 ? h.Preference.ToString(CultureInfo.InvariantCulture) + " " : string.Empty) + h.Name + " -> "
                + (h.Addresses.Count > 0 ? string.Join(", ", h.Addresses) : h.Failure != null ? findings.Outcome(h.Failure.Value) : "-")));
            var failedHosts = mx.Hosts.Where(h => h.Failure != null && h.Addresses.Count == 0).ToList();
            var deadHosts = mx.Hosts.Where(h => h.Unresolvable).ToList();
            if (failedHosts.Count > 0 && !mx.Resolves)
            {
                findings.Add(CheckNames.Mx, domain, CauseCodes.DnsFailure, "MX " + domain + ": " + chain);
                return;
            }
            if (!mx.Resolves)
            {
                findings.Add(CheckNames.Mx, domain, CauseCodes.MxMissing, findings.T("Diagnosis_Ev_MxUnresolvable", domain, chain));
                return;
            }
            // Another host resolves, but the failed ones are not known to work: never Ok.
            if (failedHosts.Count > 0)
                findings.Add(CheckNames.Mx, domain, CauseCodes.DnsFailure,
                    findings.T("Diagnosis_Ev_MxSomeFailed", domain, string.Join(", ", failedHosts.Select(h => h.Name)), chain));
            if (deadHosts.Count > 0)
            {
                findings.Add(CheckNames.Mx, domain, CauseCodes.MxMissing,
                    findings.T("Diagnosis_Ev_MxSomeUnresolvable", domain, string.Join(", ", deadHosts.Select(h => h.Name)), chain), DiagnosisSeverity.Warning);
                return;
            }
            if (mx.Status == MxStatus.ImplicitMx)
            {
                findings.Add(CheckNames.Mx, domain, CauseCodes.MxMissing, findings.T("Diagnosis_Ev_ImplicitMx", domain, chain), DiagnosisSeverity.Info);
                return;
            }
            if (failedHosts.Count > 0) return;
            findings.Add(CheckNames.Mx, domain, CauseCodes.Ok, "MX " + domain + ": " + chain);
        }
    }
}
