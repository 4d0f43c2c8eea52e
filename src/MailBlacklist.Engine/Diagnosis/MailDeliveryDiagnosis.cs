using System.Net;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Runs the delivery path for one case through the checks, each in its own file:
    /// bounce (BounceCheck) -> sending addresses (SendingIpCheck: bounce, given, or SPF) -> IP
    /// blocklists (BlocklistCheck) -> shared server (SharedServerCheck) -> PTR (PtrCheck) -> domain
    /// blocklists (domain, PTR name, HELO) -> SPF per sending address (SpfCheck) -> DMARC
    /// (DmarcPolicyCheck) -> DKIM (DkimCheck) -> MX (MxCheck). SPF, MX and PTR are looked up by
    /// MailServerDiscovery. A check that cannot run gives a DnsFailure finding, never Ok.
    /// Thread-safe: one instance serves a whole command; cases run concurrently.</summary>
    public sealed class MailDeliveryDiagnosis
    {
        /// <summary>At most this many SPF addresses are checked when no sending address is known.</summary>
        public const int MaxSpfAddresses = SendingIpCheck.MaxSpfAddresses;

        private readonly CultureInfo _culture;
        private readonly MailServerDiscovery _discovery;
        private readonly BounceCheck _bounce;
        private readonly BlocklistCheck _blocklists;
        private readonly SharedServerCheck _shared;
        private readonly DmarcCheck _dmarc;
        private readonly DmarcPolicyCheck _dmarcPolicy;
        private readonly DkimCheck _dkim;
        private readonly ResolverTrust _trust;

        public MailDeliveryDiagnosis(QueryService queries, DnsblChecker ipChecker, DnsblChecker domainChecker, CultureInfo culture, DiagnosisRules rules = null, PublicSuffixList suffixes = null)
        {
            if (queries == null) throw new ArgumentNullException(nameof(queries));
            rules = rules ?? DiagnosisRules.Default;
            _culture = culture;
            _discovery = new MailServerDiscovery(queries, culture);
            _bounce = new BounceCheck(rules, _discovery.MxLookup);
            _blocklists = new BlocklistCheck(ipChecker, domainChecker, _discovery);
            _shared = new SharedServerCheck(rules);
            _dmarc = new DmarcCheck(queries, suffixes);
            _dmarcPolicy = new DmarcPolicyCheck(_dmarc);
            _dkim = new DkimCheck(queries, rules.DkimSelectors, culture);
            _trust = new ResolverTrust(culture);
        }

        public SharedServerRegistry Registry => _shared.Registry;

        public async Task<IReadOnlyList<DiagnosisFinding>> DiagnoseAsync(DiagnosisInput input, CancellationToken ct)
        {
            var lists = new List<DnsblResult>();
            var findings = new FindingList(input.Label, _culture);
            await DiagnoseCaseAsync(input, findings, lists, ct).ConfigureAwait(false);
            return _trust.Judge(findings.Items, lists);
        }

        /// <summary>SharedServer findings that need the whole run (many domains pointing at one listed
        /// address). Call once, after every case is done.</summary>
        public IReadOnlyList<DiagnosisFinding> RunFindings() => _shared.RunFindings(_culture);

        private async Task DiagnoseCaseAsync(DiagnosisInput input, FindingList findings, List<DnsblResult> seen, CancellationToken ct)
        {
            string label = findings.Label;
            // 1. The bounce: what the receiver said, and which address sent the mail.
            var (causes, sender) = _bounce.Conclude(findings, input.Bounces);
            string domain = input.Domain;
            if (string.IsNullOrEmpty(domain) && sender != null && sender.Domain.Length > 0) domain = sender.Domain;
            var sending = await _bounce.SendingAddressAsync(findings, input.Bounces, sender, ct).ConfigureAwait(false);
            var addresses = SendingIpCheck.Known(findings, input.Addresses, sending, sender);

            // A bounce that only says the recipient's side failed (or is no bounce) needs no DNS checks,
            // unless the user also asked about a domain or an address.
            bool bounceOnly = input.Bounces != null && input.Bounces.Count > 0 && string.IsNullOrEmpty(input.Domain) && (input.Addresses?.Count ?? 0) == 0;
            if (bounceOnly && causes.All(c => c == CauseCodes.RecipientProblem || c == CauseCodes.NotABounce)) return;

            // 2. The domain's records, all at once. DMARC and DKIM judge the From domain; SPF the
            // envelope sender's (the domain above).
            string fromDomain = FindingList.FirstOf(sender?.FromDomain, domain);
            bool hasDomain = !string.IsNullOrEmpty(domain);
            var recordsTask = hasDomain ? _discovery.LookupRecordsAsync(domain, MailServerRoles.All, ct) : Task.FromResult<(SpfEvaluation, MxResult)>((null, null));
            var dmarcTask = hasDomain ? _dmarc.LookupAsync(fromDomain, ct) : Task.FromResult<DmarcRecord>(null);
            var dkimTask = hasDomain ? _dkim.LookupAsync(fromDomain, sender?.DkimSignatures, ct) : Task.FromResult<DkimKeyRecord[]>(null);
            var domainListTask = hasDomain ? _blocklists.CheckDomainAsync(domain, ct) : Task.FromResult<DnsblResult[]>(null);
            var (spf, mx) = await recordsTask.ConfigureAwait(false);
            if (hasDomain) _shared.RecordUses(domain, spf, mx);
            bool domainMissing = MailServerDiscovery.DomainMissing(spf, mx);
            if (domainMissing) findings.Add(CheckNames.Domain, domain, CauseCodes.DomainNotFound, findings.T("Diagnosis_Ev_NxDomain", domain));

            // 3. Sending addresses: the bounce's or the user's, else the SPF record's own.
            SendingIpCheck.FromSpf(findings, addresses, domain, spf, domainMissing);

            // 4. Each address: lists and PTR at once.
            var perAddress = addresses.Select(a => _blocklists.CheckAddressAsync(a.Address, ct)).ToList();
            await Task.WhenAll(perAddress).ConfigureAwait(false);
            var namesChecked = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < addresses.Count; i++)
            {
                var (ip, how) = addresses[i];
                var (lists, ptr, ptrNameLists) = perAddress[i].Result;
                if (lists != null) seen.AddRange(lists);
                var listings = _blocklists.Conclude(findings, ip.ToString(), CheckNames.IpBlocklist, lists, how);
                _shared.Conclude(findings, ip, ptr, spf, listings);
                PtrCheck.Conclude(findings, ip, ptr);
                if (ptrNameLists == null) continue;
                seen.AddRange(ptrNameLists);
                if (namesChecked.Add(ptr.HostName))
                    _blocklists.Conclude(findings, ptr.HostName, CheckNames.DomainBlocklist, ptrNameLists, findings.T("Diagnosis_Ev_PtrNameOf", ip));
            }

            // 5. The HELO name the bounce shows, and the domain, on domain lists.
            string helo = sender?.Helo ?? string.Empty;
            if (helo.Length > 0 && !string.Equals(helo, domain, StringComparison.OrdinalIgnoreCase) && _blocklists.ChecksDomains && namesChecked.Add(helo))
            {
                var heloLists = await _blocklists.CheckDomainAsync(helo, ct).ConfigureAwait(false);
                if (heloLists != null) seen.AddRange(heloLists);
                _blocklists.Conclude(findings, helo, CheckNames.DomainBlocklist, heloLists, findings.T("Diagnosis_Ev_HeloOf", helo));
            }
            var domainLists = await domainListTask.ConfigureAwait(false);
            if (domainLists != null) seen.AddRange(domainLists);
            if (!domainMissing) _blocklists.Conclude(findings, domain, CheckNames.DomainBlocklist, domainLists, findings.T("Diagnosis_Ev_SenderDomain", domain));

            if (!hasDomain)
            {
                if (addresses.Count > 0 || (input.Bounces?.Count ?? 0) > 0)
                    findings.Add(CheckNames.Spf, label, CauseCodes.InsufficientEvidence, findings.T("Diagnosis_Ev_NoDomain"));
                return;
            }
            if (domainMissing) return;

            // 6. SPF for each sending address, DMARC, DKIM, MX.
            var spfResults = SpfCheck.Conclude(findings, domain, spf, addresses.Select(a => a.Address).ToList());
            var dmarc = await dmarcTask.ConfigureAwait(false);
            var dkimKeys = await dkimTask.ConfigureAwait(false);
            bool signed = sender?.DkimSignatures.Count > 0;
            bool dkimAligned = false;
            var dkim = dkimKeys == null ? new List<CheckResult>() : _dkim.Conclude(fromDomain, dkimKeys, signed, _dmarc, dmarc, out dkimAligned);
            var alignment = new DmarcAlignment(domain, fromDomain, dkim, dkimAligned && signed);
            _dmarcPolicy.Conclude(findings, fromDomain, dmarc, spf, spfResults, causes.Contains(CauseCodes.DmarcFail), alignment);
            foreach (var r in dkim) findings.Add(CheckNames.Dkim, r.Target, r.Cause, r.Evidence, r.Severity);
            MxCheck.Conclude(findings, domain, mx);
        }
    }
}
