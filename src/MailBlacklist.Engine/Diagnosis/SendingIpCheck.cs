using System.Net;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Which addresses send the mail: the user's, the bounce's sending server, else the SPF
    /// record's single addresses. When none is known, one SendingIp finding says why.</summary>
    internal static class SendingIpCheck
    {
        /// <summary>At most this many SPF addresses are checked when no sending address is known.</summary>
        public const int MaxSpfAddresses = 10;

        /// <summary>The user's addresses, with the bounce's sending server first (the evidence says which is which).</summary>
        public static List<(IPAddress Address, string Evidence)> Known(FindingList findings, IReadOnlyList<IPAddress> given, RoledAddress sending, BounceSender sender)
        {
            var addresses = new List<(IPAddress Address, string Evidence)>();
            foreach (var a in given ?? new IPAddress[0]) addresses.Add((a, findings.T("Diagnosis_GivenAddress", a)));
            if (sending != null && !addresses.Any(x => x.Address.Equals(sending.Address)))
                addresses.Insert(0, (sending.Address, findings.T(sending.Address.Equals(sender.Address) && sender.Source == "Received header"
                    ? "Diagnosis_Ev_AddressFromReceived" : "Diagnosis_Ev_AddressFromBounceText")));
            return addresses;
        }

        /// <summary>With no known address, the SPF record's own single addresses; with none of those
        /// either, a finding: the SPF lookup failed (DnsFailure), or there is too little to go on.</summary>
        public static void FromSpf(FindingList findings, List<(IPAddress Address, string Evidence)> addresses, string domain, SpfEvaluation spf, bool domainMissing)
        {
            if (addresses.Count == 0 && spf != null && spf.Status == SpfRecordStatus.Found)
            {
                foreach (var (mechanism, network) in spf.AuthorisedNetworks())
                {
                    if (!network.Network.IsSingleAddress) continue;
                    var ip = network.Network.Address;
                    if (addresses.Any(x => x.Address.Equals(ip))) continue;
                    addresses.Add((ip, network.Evidence ?? mechanism.Evidence));
                    if (addresses.Count >= MaxSpfAddresses) break;
                }
            }
            if (addresses.Count > 0 || domainMissing) return;
            // SPF that could not be read says nothing about the sending addresses: not "no usable SPF record".
            string failure = SpfFailure(findings, domain, spf);
            if (failure != null)
            {
                findings.Add(CheckNames.SendingIp, domain, CauseCodes.DnsFailure, findings.T("Diagnosis_Ev_SpfLookupFailed", domain, failure));
                return;
            }
            string why = spf == null ? findings.T("Diagnosis_Ev_NoAddressAtAll")
                : spf.Status == SpfRecordStatus.Found ? findings.T("Diagnosis_Ev_SpfRangesOnly", domain, spf.Root.Text)
                : findings.T("Diagnosis_Ev_NoSpfForAddresses", domain);
            findings.Add(CheckNames.SendingIp, FindingList.FirstOf(domain, findings.Label), CauseCodes.InsufficientEvidence, why);
        }

        /// <summary>Why the SPF record (or a record it includes) could not be read; null when it was read.</summary>
        private static string SpfFailure(FindingList findings, string domain, SpfEvaluation spf)
        {
            if (spf == null) return null;
            if (spf.Status == SpfRecordStatus.DnsFailure) return domain + " TXT: " + findings.Outcome(spf.Root.Outcome);
            var failed = spf.Problems.Where(p => p.Code == MailServerProblemCode.SpfDnsFailure).Select(p => p.Message).ToList();
            return failed.Count > 0 ? string.Join(" ", failed) : null;
        }
    }
}
