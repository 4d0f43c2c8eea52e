using System.Net;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>The domain's SPF record (as MailServerDiscovery evaluated it) and its result for each
    /// sending address. A result that could not be reached (temperror) is DnsFailure, never a cause.</summary>
    internal static class SpfCheck
    {
        /// <summary>Adds the findings; returns each address's result, for DMARC.</summary>
        public static Dictionary<IPAddress, SpfResult> Conclude(FindingList findings, string domain, SpfEvaluation spf, List<IPAddress> addresses)
        {
            var results = new Dictionary<IPAddress, SpfResult>();
            if (spf == null) return results;
            string record = spf.Root.Text ?? string.Empty;
            switch (spf.Status)
            {
                case SpfRecordStatus.DnsFailure:
                    findings.Add(CheckNames.Spf, domain, CauseCodes.DnsFailure, domain + " TXT: " + findings.Outcome(spf.Root.Outcome));
                    return results;
                case SpfRecordStatus.None:
                    findings.Add(CheckNames.Spf, domain, CauseCodes.SpfMissing, findings.T("Diagnosis_Ev_NoSpf", domain));
                    foreach (var a in addresses) results[a] = SpfResult.None;
                    return results;
            }
            bool reported = RecordProblems(findings, domain, spf, record);
            foreach (var ip in addresses)
            {
                var result = spf.Check(ip);
                results[ip] = result;
                string target = ip.ToString();
                string evidence = findings.T("Diagnosis_Ev_SpfResult", domain, ip, result.ToString().ToLowerInvariant(), record);
                switch (result)
                {
                    case SpfResult.Pass:
                        findings.Add(CheckNames.Spf, target, CauseCodes.Ok, evidence);
                        break;
                    case SpfResult.Fail:
                    case SpfResult.SoftFail:
                    case SpfResult.Neutral:
                        findings.Add(CheckNames.Spf, target, CauseCodes.SpfNotAuthorized, evidence);
                        break;
                    case SpfResult.TempError:
                        if (!reported) findings.Add(CheckNames.Spf, target, CauseCodes.DnsFailure, evidence);
                        break;
                    case SpfResult.PermError:
                        if (!reported) findings.Add(CheckNames.Spf, target, CauseCodes.SpfInvalid, evidence);
                        break;
                    default:
                        findings.Add(CheckNames.Spf, target, CauseCodes.InsufficientEvidence, evidence + " | " + findings.T("Diagnosis_Ev_SpfUnknown"));
                        break;
                }
            }
            if (addresses.Count == 0 && !reported)
                findings.Add(CheckNames.Spf, domain, CauseCodes.Ok, domain + " TXT \"" + record + "\"");
            return results;
        }

        /// <summary>The record's own problems: lookups that failed (DnsFailure) and errors in it
        /// (SpfInvalid). True when any was reported.</summary>
        private static bool RecordProblems(FindingList findings, string domain, SpfEvaluation spf, string record)
        {
            var dnsProblems = spf.Problems.Where(p => p.Code == MailServerProblemCode.SpfDnsFailure).Select(p => p.Message).ToList();
            var badProblems = spf.Problems.Where(p => p.Code != MailServerProblemCode.SpfDnsFailure && p.Code != MailServerProblemCode.SpfNoAddresses
                && p.Code != MailServerProblemCode.SpfUnresolvableMechanism && p.Code != MailServerProblemCode.DomainNotFound).Select(p => p.Message).ToList();
            if (dnsProblems.Count > 0)
                findings.Add(CheckNames.Spf, domain, CauseCodes.DnsFailure, string.Join(" ", dnsProblems));
            if (badProblems.Count > 0 || spf.Status == SpfRecordStatus.Multiple)
                findings.Add(CheckNames.Spf, domain, CauseCodes.SpfInvalid, string.Join(" ", badProblems.DefaultIfEmpty(record)) + " | " + record);
            return dnsProblems.Count > 0 || badProblems.Count > 0 || spf.Status == SpfRecordStatus.Multiple;
        }
    }
}
