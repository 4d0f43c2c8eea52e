using System.Net;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>A listed address that is a shared server: a hosting provider's PTR name or an SPF
    /// include chain says so for one case; many domains of the run pointing at it say so for the run
    /// (read once at the end, from the registry).</summary>
    internal sealed class SharedServerCheck
    {
        private readonly DiagnosisRules _rules;

        public SharedServerCheck(DiagnosisRules rules) { _rules = rules; }

        public SharedServerRegistry Registry { get; } = new SharedServerRegistry();

        /// <summary>Records which addresses the domain's SPF (single addresses) and MX point at.</summary>
        public void RecordUses(string domain, SpfEvaluation spf, MxResult mx)
        {
            if (spf != null)
                foreach (var (_, network) in spf.AuthorisedNetworks())
                    if (network.Network.IsSingleAddress) Registry.AddUse(network.Network.Address.ToString(), domain, "SPF");
            if (mx != null)
                foreach (var host in mx.Hosts)
                    foreach (var a in host.Addresses) Registry.AddUse(a.ToString(), domain, "MX");
        }

        /// <summary>Records the address's verdict listings for the run, and adds a SharedServer finding
        /// when this case's own evidence (PTR name, SPF include) shows a shared server.</summary>
        public void Conclude(FindingList findings, IPAddress ip, PtrResult ptr, SpfEvaluation spf, List<DiagnosisFinding> listings)
        {
            string target = ip.ToString();
            foreach (var l in listings.Where(l => l.CauseCode == CauseCodes.BlocklistVerdict || l.CauseCode == CauseCodes.BlocklistCompromise))
                Registry.AddListing(target, l);
            if (listings.Count == 0) return;
            var listing = listings[0];
            if (listing.CauseCode == CauseCodes.BlocklistPolicy) return;   // a policy listing is about the address type, not a neighbour
            var evidence = new List<string>();
            if (_rules.LooksLikeHosting(ptr?.HostName)) evidence.Add(findings.T("Diagnosis_Ev_HostingPtr", ptr.HostName));
            if (spf != null)
            {
                // ip4/ip6 networks carry no evidence of their own: the mechanism holds the include chain.
                string chain = spf.AuthorisedNetworks().Where(n => n.Network.Network.Contains(ip))
                    .Select(n => n.Network.Evidence ?? n.Mechanism.Evidence ?? string.Empty).FirstOrDefault(e => e.Contains("include:"));
                if (chain != null) evidence.Add(findings.T("Diagnosis_Ev_SpfInclude", chain));
            }
            if (evidence.Count == 0) return;
            Registry.MarkReported(target);
            string text = string.Join(" | ", evidence) + (evidence.Count == 1 ? " | " + findings.T("Diagnosis_Ev_ThinEvidence") : string.Empty);
            findings.Add(CheckNames.SharedServer, target, CauseCodes.SharedServer, text, url: listing.Url);
        }

        /// <summary>Listed addresses that many domains of the run point at and no case has called
        /// shared yet. Call once, after every case is done.</summary>
        public IReadOnlyList<DiagnosisFinding> RunFindings(CultureInfo culture)
        {
            var list = new List<DiagnosisFinding>();
            foreach (var (address, listing, domains) in Registry.Shared(_rules.SharedDomainThreshold))
            {
                string evidence = Messages.Format("Diagnosis_Ev_SharedByDomains", culture, domains.Count,
                    string.Join(", ", domains.Take(20)) + (domains.Count > 20 ? ", ..." : string.Empty)) + " | " + listing.Evidence;
                list.Add(FindingList.Create(string.Empty, address, CheckNames.SharedServer, CauseCodes.SharedServer, evidence, culture, url: listing.Url));
            }
            return list;
        }
    }
}
