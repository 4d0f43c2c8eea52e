using MailBlacklist.Engine.Dnsbl;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Addresses and names on the blocklists: what each list answered, as listings (one
    /// finding each), information-only entries, one DnsFailure for the lists that could not be
    /// asked, or one Ok for the clean answers.</summary>
    internal sealed class BlocklistCheck
    {
        private readonly DnsblChecker _ipChecker;
        private readonly DnsblChecker _domainChecker;
        private readonly MailServerDiscovery _discovery;

        public BlocklistCheck(DnsblChecker ipChecker, DnsblChecker domainChecker, MailServerDiscovery discovery) =>
            (_ipChecker, _domainChecker, _discovery) = (ipChecker, domainChecker, discovery);

        public bool ChecksDomains => _domainChecker != null;

        /// <summary>An address's lists and its PTR at once, then the PTR name's domain lists.</summary>
        public async Task<(DnsblResult[] Lists, PtrResult Ptr, DnsblResult[] PtrNameLists)> CheckAddressAsync(System.Net.IPAddress ip, CancellationToken ct)
        {
            var input = DnsblInput.TryParseAddress(ip.ToString());
            var listsTask = _ipChecker != null ? _ipChecker.CheckAsync(input, ct) : Task.FromResult<DnsblResult[]>(null);
            var ptr = await _discovery.LookupPtrAsync(ip, ct).ConfigureAwait(false);
            DnsblResult[] ptrNameLists = null;
            if (!string.IsNullOrEmpty(ptr.HostName)) ptrNameLists = await CheckDomainAsync(ptr.HostName, ct).ConfigureAwait(false);
            return (await listsTask.ConfigureAwait(false), ptr, ptrNameLists);
        }

        /// <summary>A name on the domain lists; null when there are none or the name is no domain.</summary>
        public Task<DnsblResult[]> CheckDomainAsync(string name, CancellationToken ct)
        {
            var input = DnsblInput.TryParseDomain(name);
            if (_domainChecker == null || input == null) return Task.FromResult<DnsblResult[]>(null);
            return _domainChecker.CheckAsync(input, ct);
        }

        /// <summary>The findings of one name or address on a set of lists; returns the listings.</summary>
        public List<DiagnosisFinding> Conclude(FindingList findings, string target, string check, DnsblResult[] results, string context)
        {
            var listings = new List<DiagnosisFinding>();
            if (results == null) return listings;
            var clean = new List<string>();
            var failed = new List<(string zone, string why)>();
            var whitelisted = new List<string>();
            foreach (var r in results)
            {
                switch (r.Status)
                {
                    case DnsblStatus.Listed:
                    case DnsblStatus.Policy:
                        string cause = r.Tag.IndexOf("Compromise", StringComparison.OrdinalIgnoreCase) >= 0 ? CauseCodes.BlocklistCompromise
                            : r.Status == DnsblStatus.Policy ? CauseCodes.BlocklistPolicy : CauseCodes.BlocklistVerdict;
                        listings.Add(findings.Add(check, target, cause, ListingEvidence(r, context), url: r.LookupUrl));
                        break;
                    case DnsblStatus.Info:
                        // A whitelist entry is good news, not a problem: it joins the clean answers.
                        // Other information-only entries (backscatter, reputation notes) are worth
                        // knowing, but no block: an Info finding, not a listing.
                        if (r.Tag.IndexOf("Whitelist", StringComparison.OrdinalIgnoreCase) >= 0)
                            whitelisted.Add(r.Zone + " (" + r.Meaning + ")");
                        else
                            findings.Add(check, target, CauseCodes.BlocklistInfo, ListingEvidence(r, context), url: r.LookupUrl);
                        break;
                    case DnsblStatus.NotListed:
                        clean.Add(r.Zone);
                        break;
                    case DnsblStatus.Error:
                    case DnsblStatus.ZoneUnhealthy:
                        failed.Add((r.Zone, string.IsNullOrEmpty(r.Detail) ? r.Status.ToString() : r.Detail));
                        break;
                }
            }
            if (failed.Count > 0)
            {
                // Zones that failed for the same reason share one sentence (a blind resolver fails them all alike).
                string evidence = string.Join("; ", failed.GroupBy(f => f.why).Select(g => string.Join(", ", g.Select(f => f.zone)) + ": " + g.Key))
                    + (clean.Count > 0 ? " | " + findings.T("Diagnosis_Ev_AnsweredClean", string.Join(", ", clean)) : string.Empty)
                    + Whitelisted(findings, whitelisted);
                findings.Add(check, target, CauseCodes.DnsFailure, evidence);
            }
            else if (listings.Count == 0 && (clean.Count > 0 || whitelisted.Count > 0))
            {
                string evidence = clean.Count > 0 ? findings.T("Diagnosis_Ev_NotListed", string.Join(", ", clean)) + Whitelisted(findings, whitelisted)
                    : findings.T("Diagnosis_Ev_Whitelisted", string.Join(", ", whitelisted));
                findings.Add(check, target, CauseCodes.Ok, evidence);
            }
            return listings;
        }

        private static string Whitelisted(FindingList findings, List<string> zones) =>
            zones.Count == 0 ? string.Empty : " | " + findings.T("Diagnosis_Ev_Whitelisted", string.Join(", ", zones));

        /// <summary>The list, its codes and their meaning, the TXT, and where the address came from.</summary>
        private static string ListingEvidence(DnsblResult r, string context) =>
            r.ZoneName + " (" + r.Zone + "): " + r.ReturnCodes
            + (string.IsNullOrEmpty(r.Meaning) ? string.Empty : " " + r.Meaning)
            + (string.IsNullOrEmpty(r.Reason) ? string.Empty : "; TXT \"" + r.Reason + "\"")
            + (string.IsNullOrEmpty(context) ? string.Empty : " | " + context);
    }
}
