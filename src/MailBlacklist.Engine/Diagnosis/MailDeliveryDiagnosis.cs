using System.Net;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>Runs the delivery path for one case and turns each conclusion into a finding:
    /// bounce reason -> sending addresses (bounce, given, or SPF) -> IP blocklists -> shared server ->
    /// PTR and forward confirmation -> domain blocklists (domain, PTR name, HELO) -> SPF for each
    /// sending address -> DMARC -> MX. A check that cannot run gives a DnsFailure finding, never Ok.
    /// Thread-safe: one instance serves a whole command; cases run concurrently.</summary>
    public sealed class MailDeliveryDiagnosis
    {
        /// <summary>At most this many SPF addresses are checked when no sending address is known.</summary>
        public const int MaxSpfAddresses = 10;

        private readonly QueryService _queries;
        private readonly DnsblChecker _ipChecker;
        private readonly DnsblChecker _domainChecker;
        private readonly CultureInfo _culture;
        private readonly DiagnosisRules _rules;
        private readonly SpfEvaluator _spf;
        private readonly MxLookup _mx;
        private readonly PtrLookup _ptr;
        private readonly DmarcCheck _dmarc;
        private readonly DkimCheck _dkim;

        public MailDeliveryDiagnosis(QueryService queries, DnsblChecker ipChecker, DnsblChecker domainChecker, CultureInfo culture, DiagnosisRules rules = null, PublicSuffixList suffixes = null)
        {
            _queries = queries ?? throw new ArgumentNullException(nameof(queries));
            _ipChecker = ipChecker;
            _domainChecker = domainChecker;
            _culture = culture;
            _rules = rules ?? DiagnosisRules.Default;
            _spf = new SpfEvaluator(queries, culture);
            _mx = new MxLookup(queries);
            _ptr = new PtrLookup(queries);
            _dmarc = new DmarcCheck(queries, suffixes);
            _dkim = new DkimCheck(queries, _rules.DkimSelectors, culture);
        }

        public SharedServerRegistry Registry { get; } = new SharedServerRegistry();

        /// <summary>Why the command's resolver is known to forge answers (null until it is caught).</summary>
        private volatile string _forgery;

        /// <summary>Findings that rest on a "does not exist" (NXDOMAIN or no record) answer.</summary>
        private static readonly HashSet<string> AbsenceCauses = new HashSet<string>
            { CauseCodes.DomainNotFound, CauseCodes.PtrMissing, CauseCodes.PtrNotForwardConfirmed, CauseCodes.SpfMissing, CauseCodes.DmarcMissing, CauseCodes.MxMissing };

        public async Task<IReadOnlyList<DiagnosisFinding>> DiagnoseAsync(DiagnosisInput input, CancellationToken ct)
        {
            var lists = new List<DnsblResult>();
            var findings = await DiagnoseCaseAsync(input, lists, ct).ConfigureAwait(false);
            var asked = lists.Where(r => r.Status != DnsblStatus.NotApplicable).ToList();
            // A resolver caught forging (every list's test points answered where nothing can be
            // listed) is not believed about anything else either, in this case or any later one of
            // the command: what it said about PTR, SPF, DMARC and MX becomes DnsFailure, never a cause.
            if (asked.Count > 0 && asked.All(r => r.Forged)) _forgery = _forgery ?? asked[0].Detail;
            string forgery = _forgery;
            if (forgery != null)
                return findings.Select(f => f.Check == "Bounce" || f.CauseCode == CauseCodes.DnsFailure ? f
                    : NewFinding(f.Input, f.Target, f.Check, DiagnosisSeverity.Warning, CauseCodes.DnsFailure, f.Evidence + " | " + T("Diagnosis_Ev_ResolverForging", forgery), string.Empty)).ToList();
            // A resolver that says every blocklist zone does not exist cannot see the internet (a
            // sandbox, a captive or filtering resolver): its "no such domain / no PTR / no record"
            // answers are no evidence either, so those findings become DnsFailure, never a cause.
            if (asked.Count == 0 || !asked.All(r => r.ZoneMissing)) return findings;
            return findings.Select(f => AbsenceCauses.Contains(f.CauseCode)
                ? NewFinding(f.Input, f.Target, f.Check, DiagnosisSeverity.Warning, CauseCodes.DnsFailure, f.Evidence + " | " + T("Diagnosis_Ev_ResolverBlind"), string.Empty)
                : f).ToList();
        }

        private async Task<List<DiagnosisFinding>> DiagnoseCaseAsync(DiagnosisInput input, List<DnsblResult> listsSeen, CancellationToken ct)
        {
            var findings = new List<DiagnosisFinding>();
            string label = input.Label ?? string.Empty;
            Func<string, string, DiagnosisSeverity, string, string, string, DiagnosisFinding> add = (target, check, severity, cause, evidence, url) =>
            {
                var f = NewFinding(label, target, check, severity, cause, evidence, url);
                findings.Add(f);
                return f;
            };

            // 1. The bounce: what the receiver said.
            var causes = new List<string>();
            BounceSender sender = null;
            foreach (var bounce in input.Bounces ?? new BounceReason[0])
            {
                var rule = _rules.Match(bounce);
                causes.Add(rule.Cause);
                string url = FirstOf(bounce.Url, rule.Url, _rules.UrlFor(rule.Cause));
                var finding = add(FirstOf(bounce.Recipient, label), "Bounce", rule.Severity, rule.Cause, BounceEvidence(bounce), url);
                // One cause can have receiver-specific fixes (Microsoft 365's portal vs Outlook.com's form).
                if (!string.IsNullOrEmpty(rule.Fix)) finding.Fix = T("Fix_" + rule.Fix);
                var s = BounceSender.From(bounce);
                if (sender == null || (sender.Address == null && s.Address != null)) sender = s;
            }

            string domain = input.Domain;
            if (string.IsNullOrEmpty(domain) && sender != null && sender.Domain.Length > 0) domain = sender.Domain;
            var addresses = new List<(IPAddress Address, string Evidence)>();
            foreach (var a in input.Addresses ?? new IPAddress[0]) addresses.Add((a, T("Diagnosis_GivenAddress", a)));
            // Only the sending server's address is the sender's to check; the evidence says which is which.
            var sending = await SendingAddressAsync(input.Bounces, sender, findings, ct).ConfigureAwait(false);
            if (sending != null && !addresses.Any(x => x.Address.Equals(sending.Address)))
                addresses.Insert(0, (sending.Address, T(sending.Address.Equals(sender.Address) && sender.Source == "Received header" ? "Diagnosis_Ev_AddressFromReceived" : "Diagnosis_Ev_AddressFromBounceText")));

            // A bounce that only says the recipient's side failed (or is no bounce) needs no DNS checks,
            // unless the user also asked about a domain or an address.
            bool bounceOnly = input.Bounces != null && input.Bounces.Count > 0 && string.IsNullOrEmpty(input.Domain) && (input.Addresses?.Count ?? 0) == 0;
            if (bounceOnly && causes.All(c => c == CauseCodes.RecipientProblem || c == CauseCodes.NotABounce)) return findings;

            // 2. The domain's records, all at once.
            Task<SpfEvaluation> spfTask = Task.FromResult<SpfEvaluation>(null);
            Task<MxResult> mxTask = Task.FromResult<MxResult>(null);
            Task<DmarcRecord> dmarcTask = Task.FromResult<DmarcRecord>(null);
            Task<DkimKeyRecord[]> dkimTask = Task.FromResult<DkimKeyRecord[]>(null);
            // DMARC and DKIM judge the From domain; SPF the envelope sender's (the domain above).
            string fromDomain = FirstOf(sender?.FromDomain, domain);
            Task<DnsblResult[]> domainListTask = Task.FromResult<DnsblResult[]>(null);
            if (!string.IsNullOrEmpty(domain))
            {
                spfTask = _spf.EvaluateAsync(domain, ct);
                mxTask = _mx.LookupAsync(domain, ct);
                dmarcTask = _dmarc.LookupAsync(fromDomain, ct);
                dkimTask = _dkim.LookupAsync(fromDomain, sender?.DkimSignatures, ct);
                domainListTask = CheckDomainAsync(domain, ct);
            }
            var spf = await spfTask.ConfigureAwait(false);
            var mx = await mxTask.ConfigureAwait(false);
            if (!string.IsNullOrEmpty(domain)) RecordUses(domain, spf, mx);

            bool domainMissing = spf?.Status == SpfRecordStatus.NxDomain || mx?.Status == MxStatus.NxDomain;
            if (domainMissing)
            {
                add(domain, "Domain", DiagnosisSeverity.Critical, CauseCodes.DomainNotFound, T("Diagnosis_Ev_NxDomain", domain), _rules.UrlFor(CauseCodes.DomainNotFound));
            }

            // 3. Sending addresses: the bounce's or the user's, else the SPF record's own.
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
            // SPF that could not be read says nothing about the sending addresses: not "no usable SPF record".
            string spfFailure = SpfFailure(domain, spf);
            if (addresses.Count == 0 && !domainMissing && spfFailure != null)
                add(domain, "SendingIp", DiagnosisSeverity.Warning, CauseCodes.DnsFailure, T("Diagnosis_Ev_SpfLookupFailed", domain, spfFailure), string.Empty);
            else if (addresses.Count == 0 && !domainMissing)
            {
                string why = spf == null ? T("Diagnosis_Ev_NoAddressAtAll")
                    : spf.Status == SpfRecordStatus.Found ? T("Diagnosis_Ev_SpfRangesOnly", domain, spf.Root.Text)
                    : T("Diagnosis_Ev_NoSpfForAddresses", domain);
                add(FirstOf(domain, label), "SendingIp", DiagnosisSeverity.Info, CauseCodes.InsufficientEvidence, why, _rules.UrlFor(CauseCodes.InsufficientEvidence));
            }

            // 4. Each address: lists and PTR at once.
            var seen = listsSeen;
            var perAddress = addresses.Select(a => CheckAddressAsync(a.Address, ct)).ToList();
            await Task.WhenAll(perAddress).ConfigureAwait(false);
            var namesChecked = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < addresses.Count; i++)
            {
                var (ip, how) = addresses[i];
                var (lists, ptr, ptrNameLists) = perAddress[i].Result;
                string target = ip.ToString();
                if (lists != null) seen.AddRange(lists);
                var listings = BlocklistFindings(label, target, "IpBlocklist", lists, findings, how);
                foreach (var l in listings.Where(l => l.CauseCode == CauseCodes.BlocklistVerdict || l.CauseCode == CauseCodes.BlocklistCompromise))
                    Registry.AddListing(target, l);
                if (listings.Count > 0) SharedServerFinding(label, ip, ptr, spf, listings[0], findings);
                PtrFinding(label, ip, ptr, findings);
                if (ptrNameLists != null) seen.AddRange(ptrNameLists);
                if (ptrNameLists != null && namesChecked.Add(ptr.HostName)) BlocklistFindings(label, ptr.HostName, "DomainBlocklist", ptrNameLists, findings, T("Diagnosis_Ev_PtrNameOf", ip));
            }

            // 5. The HELO name the bounce shows, and the domain, on domain lists.
            string helo = sender?.Helo ?? string.Empty;
            if (helo.Length > 0 && !string.Equals(helo, domain, StringComparison.OrdinalIgnoreCase) && _domainChecker != null && namesChecked.Add(helo))
            {
                var heloLists = await CheckDomainAsync(helo, ct).ConfigureAwait(false);
                if (heloLists != null) seen.AddRange(heloLists);
                if (heloLists != null) BlocklistFindings(label, helo, "DomainBlocklist", heloLists, findings, T("Diagnosis_Ev_HeloOf", helo));
            }
            var domainLists = await domainListTask.ConfigureAwait(false);
            if (domainLists != null) seen.AddRange(domainLists);
            if (domainLists != null && !domainMissing) BlocklistFindings(label, domain, "DomainBlocklist", domainLists, findings, T("Diagnosis_Ev_SenderDomain", domain));

            if (string.IsNullOrEmpty(domain))
            {
                if (addresses.Count > 0 || (input.Bounces?.Count ?? 0) > 0)
                    add(label, "Spf", DiagnosisSeverity.Info, CauseCodes.InsufficientEvidence, T("Diagnosis_Ev_NoDomain"), _rules.UrlFor(CauseCodes.InsufficientEvidence));
                return findings;
            }
            if (domainMissing) return findings;

            // 6. SPF for each sending address, DMARC, MX.
            var spfResults = SpfFindings(label, domain, spf, addresses.Select(a => a.Address).ToList(), findings);
            var dmarc = await dmarcTask.ConfigureAwait(false);
            var dkimKeys = await dkimTask.ConfigureAwait(false);
            bool dkimAligned = false;
            var dkim = dkimKeys == null ? new List<CheckResult>()
                : _dkim.Conclude(fromDomain, dkimKeys, sender?.DkimSignatures.Count > 0, _dmarc, dmarc, out dkimAligned);
            var alignment = new DmarcAlignment(domain, fromDomain, dkim, dkimAligned && sender?.DkimSignatures.Count > 0);
            DmarcFinding(label, fromDomain, dmarc, spf, spfResults, causes.Contains(CauseCodes.DmarcFail), alignment, findings);
            foreach (var r in dkim) add(r.Target, "Dkim", r.Severity, r.Cause, r.Evidence, r.Severity == DiagnosisSeverity.Ok || r.Cause == CauseCodes.DnsFailure ? string.Empty : _rules.UrlFor(r.Cause));
            MxFinding(label, domain, mx, findings);
            return findings;
        }

        /// <summary>SharedServer findings that need the whole run (many domains pointing at one listed
        /// address). Call once, after every case is done.</summary>
        public IReadOnlyList<DiagnosisFinding> RunFindings()
        {
            var list = new List<DiagnosisFinding>();
            foreach (var (address, listing, domains) in Registry.Shared(_rules.SharedDomainThreshold))
            {
                string evidence = T("Diagnosis_Ev_SharedByDomains", domains.Count, string.Join(", ", domains.Take(20)) + (domains.Count > 20 ? ", ..." : string.Empty)) + " | " + listing.Evidence;
                list.Add(NewFinding(string.Empty, address, "SharedServer", DiagnosisSeverity.Warning, CauseCodes.SharedServer, evidence, FirstOf(listing.Url, _rules.UrlFor(CauseCodes.SharedServer))));
            }
            return list;
        }

        private async Task<(DnsblResult[] Lists, PtrResult Ptr, DnsblResult[] PtrNameLists)> CheckAddressAsync(IPAddress ip, CancellationToken ct)
        {
            var input = DnsblInput.TryParseAddress(ip.ToString());
            var listsTask = _ipChecker != null ? _ipChecker.CheckAsync(input, ct) : Task.FromResult<DnsblResult[]>(null);
            var ptr = await _ptr.LookupAsync(ip, ct).ConfigureAwait(false);
            DnsblResult[] ptrNameLists = null;
            if (!string.IsNullOrEmpty(ptr.HostName)) ptrNameLists = await CheckDomainAsync(ptr.HostName, ct).ConfigureAwait(false);
            return (await listsTask.ConfigureAwait(false), ptr, ptrNameLists);
        }

        private Task<DnsblResult[]> CheckDomainAsync(string name, CancellationToken ct)
        {
            var input = DnsblInput.TryParseDomain(name);
            if (_domainChecker == null || input == null) return Task.FromResult<DnsblResult[]>(null);
            return _domainChecker.CheckAsync(input, ct);
        }

        private void RecordUses(string domain, SpfEvaluation spf, MxResult mx)
        {
            if (spf != null)
                foreach (var (_, network) in spf.AuthorisedNetworks())
                    if (network.Network.IsSingleAddress) Registry.AddUse(network.Network.Address.ToString(), domain, "SPF");
            if (mx != null)
                foreach (var host in mx.Hosts)
                    foreach (var a in host.Addresses) Registry.AddUse(a.ToString(), domain, "MX");
        }

        /// <summary>Listings, failures and the clean result of one name or address on a set of lists.
        /// Returns the listing findings.</summary>
        private List<DiagnosisFinding> BlocklistFindings(string label, string target, string check, DnsblResult[] results, List<DiagnosisFinding> findings, string context)
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
                        var f = NewFinding(label, target, check, DiagnosisSeverity.Critical, cause, ListingEvidence(r, context), FirstOf(r.LookupUrl, _rules.UrlFor(cause)));
                        findings.Add(f);
                        listings.Add(f);
                        break;
                    case DnsblStatus.Info:
                        // A whitelist entry is good news, not a problem: it joins the clean answers.
                        // Other information-only entries (backscatter, reputation notes) are worth
                        // knowing, but no block: an Info finding, not a listing.
                        if (r.Tag.IndexOf("Whitelist", StringComparison.OrdinalIgnoreCase) >= 0)
                            whitelisted.Add(r.Zone + " (" + r.Meaning + ")");
                        else
                            findings.Add(NewFinding(label, target, check, DiagnosisSeverity.Info, CauseCodes.BlocklistInfo, ListingEvidence(r, context), FirstOf(r.LookupUrl, _rules.UrlFor(CauseCodes.BlocklistInfo))));
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
                    + (clean.Count > 0 ? " | " + T("Diagnosis_Ev_AnsweredClean", string.Join(", ", clean)) : string.Empty)
                    + Whitelisted(whitelisted);
                findings.Add(NewFinding(label, target, check, DiagnosisSeverity.Warning, CauseCodes.DnsFailure, evidence, string.Empty));
            }
            else if (listings.Count == 0 && (clean.Count > 0 || whitelisted.Count > 0))
            {
                string evidence = clean.Count > 0 ? T("Diagnosis_Ev_NotListed", string.Join(", ", clean)) + Whitelisted(whitelisted)
                    : T("Diagnosis_Ev_Whitelisted", string.Join(", ", whitelisted));
                findings.Add(NewFinding(label, target, check, DiagnosisSeverity.Ok, CauseCodes.Ok, evidence, string.Empty));
            }
            return listings;
        }

        private string Whitelisted(List<string> zones) =>
            zones.Count == 0 ? string.Empty : " | " + T("Diagnosis_Ev_Whitelisted", string.Join(", ", zones));

        /// <summary>The list, its codes and their meaning, the TXT, and where the address came from.</summary>
        private static string ListingEvidence(DnsblResult r, string context) =>
            r.ZoneName + " (" + r.Zone + "): " + r.ReturnCodes
            + (string.IsNullOrEmpty(r.Meaning) ? string.Empty : " " + r.Meaning)
            + (string.IsNullOrEmpty(r.Reason) ? string.Empty : "; TXT \"" + r.Reason + "\"")
            + (string.IsNullOrEmpty(context) ? string.Empty : " | " + context);

        private void SharedServerFinding(string label, IPAddress ip, PtrResult ptr, SpfEvaluation spf, DiagnosisFinding listing, List<DiagnosisFinding> findings)
        {
            if (listing.CauseCode == CauseCodes.BlocklistPolicy) return;   // a policy listing is about the address type, not a neighbour
            var evidence = new List<string>();
            if (_rules.LooksLikeHosting(ptr?.HostName)) evidence.Add(T("Diagnosis_Ev_HostingPtr", ptr.HostName));
            if (spf != null)
            {
                // ip4/ip6 networks carry no evidence of their own: the mechanism holds the include chain.
                string chain = spf.AuthorisedNetworks().Where(n => n.Network.Network.Contains(ip))
                    .Select(n => n.Network.Evidence ?? n.Mechanism.Evidence ?? string.Empty).FirstOrDefault(e => e.Contains("include:"));
                if (chain != null) evidence.Add(T("Diagnosis_Ev_SpfInclude", chain));
            }
            if (evidence.Count == 0) return;
            Registry.MarkReported(ip.ToString());
            string text = string.Join(" | ", evidence) + (evidence.Count == 1 ? " | " + T("Diagnosis_Ev_ThinEvidence") : string.Empty);
            findings.Add(NewFinding(label, ip.ToString(), "SharedServer", DiagnosisSeverity.Warning, CauseCodes.SharedServer, text, FirstOf(listing.Url, _rules.UrlFor(CauseCodes.SharedServer))));
        }

        private void PtrFinding(string label, IPAddress ip, PtrResult ptr, List<DiagnosisFinding> findings)
        {
            string target = ip.ToString();
            string reverse = IpNetwork.ReverseName(ip);
            if (ptr.Failure != null && ptr.ForwardConfirmed == null)
            {
                findings.Add(NewFinding(label, target, "Ptr", DiagnosisSeverity.Warning, CauseCodes.DnsFailure,
                    ptr.FailedName + ": " + SpfEvaluator.DescribeOutcome(ptr.Failure.Value, _culture), string.Empty));
                return;
            }
            if (ptr.HostNames.Count == 0)
            {
                findings.Add(NewFinding(label, target, "Ptr", DiagnosisSeverity.Critical, CauseCodes.PtrMissing, T("Diagnosis_Ev_NoPtr", reverse), _rules.UrlFor(CauseCodes.PtrMissing)));
                return;
            }
            if (ptr.ForwardConfirmed == false)
            {
                findings.Add(NewFinding(label, target, "Ptr", DiagnosisSeverity.Warning, CauseCodes.PtrNotForwardConfirmed,
                    T("Diagnosis_Ev_PtrNotConfirmed", reverse, string.Join(", ", ptr.HostNames), target), _rules.UrlFor(CauseCodes.PtrNotForwardConfirmed)));
                return;
            }
            findings.Add(NewFinding(label, target, "Ptr", DiagnosisSeverity.Ok, CauseCodes.Ok, reverse + " PTR " + ptr.HostName + " -> " + target, string.Empty));
        }

        private Dictionary<IPAddress, SpfResult> SpfFindings(string label, string domain, SpfEvaluation spf, List<IPAddress> addresses, List<DiagnosisFinding> findings)
        {
            var results = new Dictionary<IPAddress, SpfResult>();
            if (spf == null) return results;
            string record = spf.Root.Text ?? string.Empty;
            switch (spf.Status)
            {
                case SpfRecordStatus.DnsFailure:
                    findings.Add(NewFinding(label, domain, "Spf", DiagnosisSeverity.Warning, CauseCodes.DnsFailure,
                        domain + " TXT: " + SpfEvaluator.DescribeOutcome(spf.Root.Outcome, _culture), string.Empty));
                    return results;
                case SpfRecordStatus.None:
                    findings.Add(NewFinding(label, domain, "Spf", DiagnosisSeverity.Warning, CauseCodes.SpfMissing, T("Diagnosis_Ev_NoSpf", domain), _rules.UrlFor(CauseCodes.SpfMissing)));
                    foreach (var a in addresses) results[a] = SpfResult.None;
                    return results;
            }
            var dnsProblems = spf.Problems.Where(p => p.Code == MailServerProblemCode.SpfDnsFailure).Select(p => p.Message).ToList();
            var badProblems = spf.Problems.Where(p => p.Code != MailServerProblemCode.SpfDnsFailure && p.Code != MailServerProblemCode.SpfNoAddresses
                && p.Code != MailServerProblemCode.SpfUnresolvableMechanism && p.Code != MailServerProblemCode.DomainNotFound).Select(p => p.Message).ToList();
            if (dnsProblems.Count > 0)
                findings.Add(NewFinding(label, domain, "Spf", DiagnosisSeverity.Warning, CauseCodes.DnsFailure, string.Join(" ", dnsProblems), string.Empty));
            if (badProblems.Count > 0 || spf.Status == SpfRecordStatus.Multiple)
                findings.Add(NewFinding(label, domain, "Spf", DiagnosisSeverity.Critical, CauseCodes.SpfInvalid,
                    string.Join(" ", badProblems.DefaultIfEmpty(record)) + " | " + record, _rules.UrlFor(CauseCodes.SpfInvalid)));
            bool reported = dnsProblems.Count > 0 || badProblems.Count > 0 || spf.Status == SpfRecordStatus.Multiple;

            foreach (var ip in addresses)
            {
                var result = spf.Check(ip);
                results[ip] = result;
                string evidence = T("Diagnosis_Ev_SpfResult", domain, ip, result.ToString().ToLowerInvariant(), record);
                switch (result)
                {
                    case SpfResult.Pass:
                        findings.Add(NewFinding(label, ip.ToString(), "Spf", DiagnosisSeverity.Ok, CauseCodes.Ok, evidence, string.Empty));
                        break;
                    case SpfResult.Fail:
                    case SpfResult.SoftFail:
                    case SpfResult.Neutral:
                        findings.Add(NewFinding(label, ip.ToString(), "Spf", DiagnosisSeverity.Critical, CauseCodes.SpfNotAuthorized, evidence, _rules.UrlFor(CauseCodes.SpfNotAuthorized)));
                        break;
                    case SpfResult.TempError:
                        if (!reported) findings.Add(NewFinding(label, ip.ToString(), "Spf", DiagnosisSeverity.Warning, CauseCodes.DnsFailure, evidence, string.Empty));
                        break;
                    case SpfResult.PermError:
                        if (!reported) findings.Add(NewFinding(label, ip.ToString(), "Spf", DiagnosisSeverity.Critical, CauseCodes.SpfInvalid, evidence, _rules.UrlFor(CauseCodes.SpfInvalid)));
                        break;
                    default:
                        findings.Add(NewFinding(label, ip.ToString(), "Spf", DiagnosisSeverity.Info, CauseCodes.InsufficientEvidence, evidence + " | " + T("Diagnosis_Ev_SpfUnknown"), _rules.UrlFor(CauseCodes.InsufficientEvidence)));
                        break;
                }
            }
            if (addresses.Count == 0 && !reported)
                findings.Add(NewFinding(label, domain, "Spf", DiagnosisSeverity.Ok, CauseCodes.Ok, domain + " TXT \"" + record + "\"", string.Empty));
            return results;
        }

        /// <summary>Why the SPF record (or a record it includes) could not be read; null when it was read.</summary>
        private string SpfFailure(string domain, SpfEvaluation spf)
        {
            if (spf == null) return null;
            if (spf.Status == SpfRecordStatus.DnsFailure) return domain + " TXT: " + SpfEvaluator.DescribeOutcome(spf.Root.Outcome, _culture);
            var failed = spf.Problems.Where(p => p.Code == MailServerProblemCode.SpfDnsFailure).Select(p => p.Message).ToList();
            return failed.Count > 0 ? string.Join(" ", failed) : null;
        }

        /// <summary>SPF results that say nothing about the address: the check could not be made.</summary>
        private static bool NotEvaluated(SpfResult r) => r == SpfResult.TempError || r == SpfResult.Unknown;

        private void DmarcFinding(string label, string domain, DmarcRecord dmarc, SpfEvaluation spfRecord, Dictionary<IPAddress, SpfResult> spf, bool bounceSaysDmarc, DmarcAlignment alignment, List<DiagnosisFinding> findings)
        {
            if (dmarc == null) return;
            string name = "_dmarc." + dmarc.Domain + (dmarc.Inherited ? " (" + T("Diagnosis_Ev_DmarcInherited", domain, dmarc.Domain) + ")" : string.Empty);
            switch (dmarc.Status)
            {
                case DmarcStatus.DnsFailure:
                    findings.Add(NewFinding(label, domain, "Dmarc", DiagnosisSeverity.Warning, CauseCodes.DnsFailure, name + " TXT: " + SpfEvaluator.DescribeOutcome(dmarc.Outcome, _culture), string.Empty));
                    return;
                case DmarcStatus.None:
                    findings.Add(NewFinding(label, domain, "Dmarc", DiagnosisSeverity.Warning, CauseCodes.DmarcMissing, T("Diagnosis_Ev_NoDmarc", name), _rules.UrlFor(CauseCodes.DmarcMissing)));
                    return;
                case DmarcStatus.Multiple:
                    findings.Add(NewFinding(label, domain, "Dmarc", DiagnosisSeverity.Warning, CauseCodes.DmarcMissing, T("Diagnosis_Ev_DmarcMultiple", name, dmarc.Text), _rules.UrlFor(CauseCodes.DmarcMissing)));
                    return;
            }
            if (dmarc.EffectivePolicy.Length == 0)
            {
                findings.Add(NewFinding(label, domain, "Dmarc", DiagnosisSeverity.Warning, CauseCodes.DmarcMissing, T("Diagnosis_Ev_DmarcNoPolicy", name, dmarc.Text), _rules.UrlFor(CauseCodes.DmarcMissing)));
                return;
            }
            // A temperror (or an unknown result) is no SPF failure: the check could not be made, so the
            // address's alignment is unknown, not failing.
            Func<KeyValuePair<IPAddress, SpfResult>, string> show = p => p.Key.ToString() + " spf=" + p.Value.ToString().ToLowerInvariant();
            // An SPF pass counts for DMARC only when the envelope domain is aligned with From.
            bool spfAligned = _dmarc.Aligned(alignment.EnvelopeDomain, domain, dmarc.StrictSpf);
            var failing = spf.Where(p => (p.Value != SpfResult.Pass || !spfAligned) && !NotEvaluated(p.Value))
                .Select(p => show(p) + (p.Value == SpfResult.Pass ? " " + T("Diagnosis_Ev_SpfNotAligned", alignment.EnvelopeDomain, domain, dmarc.StrictSpf ? "aspf=s" : "aspf=r") : string.Empty)).ToList();
            var unknown = spf.Where(p => NotEvaluated(p.Value)).Select(show).ToList();
            bool enforcing = dmarc.EffectivePolicy == "reject" || dmarc.EffectivePolicy == "quarantine";
            if (bounceSaysDmarc || (enforcing && failing.Count > 0 && !alignment.DkimPasses))
            {
                string evidence = name + " \"" + dmarc.Text + "\"" + (failing.Count > 0 ? " | " + string.Join(", ", failing) : string.Empty) + " | " + alignment.DkimSummary();
                findings.Add(NewFinding(label, domain, "Dmarc", enforcing ? DiagnosisSeverity.Critical : DiagnosisSeverity.Warning, CauseCodes.DmarcFail, evidence, _rules.UrlFor(CauseCodes.DmarcFail)));
                return;
            }
            // No address to judge and an SPF record that could not be read whole: alignment is unknown too.
            bool spfFailed = spfRecord == null || spfRecord.Status == SpfRecordStatus.DnsFailure
                || spfRecord.Problems.Any(p => p.Code == MailServerProblemCode.SpfDnsFailure);
            if (unknown.Count > 0 || (spf.Count == 0 && spfFailed))
            {
                string why = unknown.Count > 0 ? string.Join(", ", unknown) : T("Diagnosis_Ev_SpfNotRead", domain);
                findings.Add(NewFinding(label, domain, "Dmarc", DiagnosisSeverity.Warning, CauseCodes.DnsFailure,
                    name + " \"" + dmarc.Text + "\" | " + T("Diagnosis_Ev_DmarcSpfUnknown", why), string.Empty));
                return;
            }
            findings.Add(NewFinding(label, domain, "Dmarc", DiagnosisSeverity.Ok, CauseCodes.Ok, name + " \"" + dmarc.Text + "\"", string.Empty));
        }

        private void MxFinding(string label, string domain, MxResult mx, List<DiagnosisFinding> findings)
        {
            if (mx == null) return;
            string url = _rules.UrlFor(CauseCodes.MxMissing);
            switch (mx.Status)
            {
                case MxStatus.DnsFailure:
                    findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Warning, CauseCodes.DnsFailure, domain + " MX: " + SpfEvaluator.DescribeOutcome(mx.Outcome, _culture), string.Empty));
                    return;
                case MxStatus.NullMx:
                    findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Warning, CauseCodes.MxMissing, T("Diagnosis_Ev_NullMx", domain), url));
                    return;
                case MxStatus.NoMailRecords:
                    findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Critical, CauseCodes.MxMissing, T("Diagnosis_Ev_NoMailRecords", domain), url));
                    return;
                case MxStatus.NxDomain:
                    return;
            }
            string chain = string.Join("; ", mx.Hosts.Select(h => (h.Preference >= 0 ? h.Preference.ToString(CultureInfo.InvariantCulture) + " " : string.Empty) + h.Name + " -> "
                + (h.Addresses.Count > 0 ? string.Join(", ", h.Addresses) : h.Failure != null ? SpfEvaluator.DescribeOutcome(h.Failure.Value, _culture) : "-")));
            var failedHosts = mx.Hosts.Where(h => h.Failure != null && h.Addresses.Count == 0).ToList();
            var deadHosts = mx.Hosts.Where(h => h.Unresolvable).ToList();
            if (failedHosts.Count > 0 && !mx.Resolves)
            {
                findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Warning, CauseCodes.DnsFailure, "MX " + domain + ": " + chain, string.Empty));
                return;
            }
            if (!mx.Resolves)
            {
                findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Critical, CauseCodes.MxMissing, T("Diagnosis_Ev_MxUnresolvable", domain, chain), url));
                return;
            }
            // Another host resolves, but the failed ones are not known to work: never Ok.
            if (failedHosts.Count > 0)
                findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Warning, CauseCodes.DnsFailure, T("Diagnosis_Ev_MxSomeFailed", domain, string.Join(", ", failedHosts.Select(h => h.Name)), chain), string.Empty));
            if (deadHosts.Count > 0)
            {
                findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Warning, CauseCodes.MxMissing, T("Diagnosis_Ev_MxSomeUnresolvable", domain, string.Join(", ", deadHosts.Select(h => h.Name)), chain), url));
                return;
            }
            if (mx.Status == MxStatus.ImplicitMx)
            {
                findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Info, CauseCodes.MxMissing, T("Diagnosis_Ev_ImplicitMx", domain, chain), url));
                return;
            }
            if (failedHosts.Count > 0) return;
            findings.Add(NewFinding(label, domain, "Mx", DiagnosisSeverity.Ok, CauseCodes.Ok, "MX " + domain + ": " + chain, string.Empty));
        }

        /// <summary>The sending server's address among the bounce's addresses (AddressRoles), with the
        /// role of each address appended to the first Bounce finding's evidence.</summary>
        private async Task<RoledAddress> SendingAddressAsync(IReadOnlyList<BounceReason> bounces, BounceSender sender, List<DiagnosisFinding> findings, CancellationToken ct)
        {
            if (bounces == null || bounces.Count == 0) return null;
            var roles = AddressRoles.Classify(bounces, sender?.HumanText.Length > 0 ? new[] { sender.HumanText } : null);
            await AddressRoles.DemoteReceiversAsync(roles, bounces, _mx, ct).ConfigureAwait(false);
            var first = findings.FirstOrDefault(f => f.Check == "Bounce");
            if (first != null && roles.Count > 0)
                first.Evidence += SafeText.Neutralize(" | " + string.Join("; ", roles.Select(r => T("Diagnosis_Ev_Role" + r.Role, r.Address, r.Why))));
            return AddressRoles.Sending(roles);
        }

        private string BounceEvidence(BounceReason b)
        {
            // The label follows the bounce's own class: a delay notice is a delay, whatever words it uses.
            var parts = new List<string> { string.Equals(b.Action, "delayed", StringComparison.OrdinalIgnoreCase) ? "Delayed" : b.Reason };
            if (!string.IsNullOrEmpty(b.Status)) parts.Add(b.Status);
            if (!string.IsNullOrEmpty(b.ProviderCode) && b.ProviderCode != b.Status) parts.Add(b.ProviderCode);
            if (!string.IsNullOrEmpty(b.Blocklist)) parts.Add(b.Blocklist);
            string text = System.Text.RegularExpressions.Regex.Replace(b.DiagnosticText ?? string.Empty, @"\s+", " ").Trim();
            if (text.Length > 400) text = text.Substring(0, 400) + "...";
            return string.Join(" ", parts) + (text.Length > 0 ? ": " + text : string.Empty);
        }

        private DiagnosisFinding NewFinding(string label, string target, string check, DiagnosisSeverity severity, string cause, string evidence, string url) => new DiagnosisFinding
        {
            Input = SafeText.Neutralize(label ?? string.Empty),
            Target = SafeText.Neutralize(target ?? string.Empty),
            Check = check,
            Severity = severity,
            CauseCode = cause,
            Cause = T("Cause_" + cause),
            Evidence = SafeText.Neutralize(evidence ?? string.Empty),
            Fix = T("Fix_" + cause),
            Url = url ?? string.Empty,
        };

        private static string FirstOf(params string[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? string.Empty;

        private string T(string key, params object[] args) => args.Length == 0 ? Messages.Get(key, _culture) : Messages.Format(key, _culture, args);
    }
}
