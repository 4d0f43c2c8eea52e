using System.Net;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Reverse DNS of a sending address: a PTR name that resolves back to the address
    /// (forward-confirmed), as receivers require. The lookup is MailServerDiscovery's.</summary>
    internal static class PtrCheck
    {
        public static void Conclude(FindingList findings, IPAddress ip, PtrResult ptr)
        {
            string target = ip.ToString();
            string reverse = IpNetwork.ReverseName(ip);
            if (ptr.Failure != null && ptr.ForwardConfirmed == null)
                findings.Add(CheckNames.Ptr, target, CauseCodes.DnsFailure, ptr.FailedName + ": " + findings.Outcome(ptr.Failure.Value));
            else if (ptr.HostNames.Count == 0)
                findings.Add(CheckNames.Ptr, target, CauseCodes.PtrMissing, findings.T("Diagnosis_Ev_NoPtr", reverse));
            else if (ptr.ForwardConfirmed == false)
                findings.Add(CheckNames.Ptr, target, CauseCodes.PtrNotForwardConfirmed,
                    findings.T("Diagnosis_Ev_PtrNotConfirmed", reverse, string.Join(", ", ptr.HostNames), target));
            else
                findings.Add(CheckNames.Ptr, target, CauseCodes.Ok, reverse + " PTR " + ptr.HostName + " -> " + target);
        }
    }
}
