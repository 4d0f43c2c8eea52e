using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>DKIM from DNS, as far as DNS can tell: the keys the returned message's DKIM-Signature
    /// headers name (d=, s=), or, without them, the keys of the selectors that common providers use
    /// (diagnosis-rules.json "dkimSelectors"); whether each exists and parses, and whether the signing
    /// domain is aligned with the From domain. Signatures themselves need the whole message and are
    /// not verified.</summary>
    internal sealed class DkimCheck
    {
        private readonly QueryService _queries;
        private readonly IReadOnlyList<string> _selectors;
        private readonly CultureInfo _culture;

        public DkimCheck(QueryService queries, IReadOnlyList<string> selectors, CultureInfo culture)
        {
            _queries = queries;
            _selectors = selectors ?? new string[0];
            _culture = culture;
        }

        /// <summary>The keys to judge: the signatures' own, else the common selectors' under the From domain.</summary>
        public Task<DkimKeyRecord[]> LookupAsync(string fromDomain, IReadOnlyList<DkimSignature> signatures, CancellationToken ct)
        {
            var names = signatures != null && signatures.Count > 0
                ? signatures.Select(s => (s.Selector, s.Domain)).Distinct()
                : _selectors.Select(s => (s, fromDomain));
            return Task.WhenAll(names.Select(n => DkimKeyRecord.LookupAsync(_queries, n.Item1, n.Item2, ct)));
        }

        /// <summary>The conclusions, and whether an existing key is aligned with the From domain.</summary>
        public List<CheckResult> Conclude(string fromDomain, DkimKeyRecord[] keys, bool fromSignatures, DmarcCheck dmarc, DmarcRecord record, out bool alignedKey)
        {
            var results = new List<CheckResult>();
            bool strict = record?.Status == DmarcStatus.Found && record.StrictDkim;
            bool enforcing = record?.EffectivePolicy == "reject" || record?.EffectivePolicy == "quarantine";
            string mode = strict ? "adkim=s" : "adkim=r";
            alignedKey = false;
            foreach (var key in keys.Where(k => k.Status == DkimKeyStatus.Invalid && (k.Problem.StartsWith("p= empty") ? !keys.Any(o => o.Status == DkimKeyStatus.Found) : true)))
                results.Add(new CheckResult(key.Name, DiagnosisSeverity.Critical, CauseCodes.DkimInvalid, T("Diagnosis_Ev_DkimInvalid", key.Name, key.Problem, key.Text)));
            var found = keys.Where(k => k.Status == DkimKeyStatus.Found).ToList();
            foreach (var key in found)
            {
                string shown = key.Name + ": " + key.KeyType + " " + key.Bits.ToString(CultureInfo.InvariantCulture) + " bits";
                if (dmarc.Aligned(key.Domain, fromDomain, strict))
                {
                    alignedKey = true;
                    results.Add(new CheckResult(key.Name, DiagnosisSeverity.Ok, CauseCodes.Ok, shown + " | " + T("Diagnosis_Ev_DkimAligned", key.Domain, fromDomain, mode)));
                }
                else
                    results.Add(new CheckResult(key.Name, enforcing ? DiagnosisSeverity.Critical : DiagnosisSeverity.Warning, CauseCodes.DkimNotAligned,
                        shown + " | " + T("Diagnosis_Ev_DkimNotAligned", key.Domain, fromDomain, mode)));
            }
            var failed = keys.Where(k => k.Status == DkimKeyStatus.DnsFailure).ToList();
            if (fromSignatures)
                foreach (var key in failed)
                    results.Add(new CheckResult(key.Name, DiagnosisSeverity.Warning, CauseCodes.DnsFailure, key.Name + " TXT: " + SpfEvaluator.DescribeOutcome(key.Outcome, _culture)));
            else if (found.Count == 0 && failed.Count > 0)
                // Guessed selectors: one finding for the domain, not one per guess (a dead resolver
                // would otherwise give a dozen identical warnings).
                results.Add(new CheckResult("_domainkey." + fromDomain, DiagnosisSeverity.Warning, CauseCodes.DnsFailure,
                    string.Join(", ", failed.Select(k => k.Name)) + " TXT: " + SpfEvaluator.DescribeOutcome(failed[0].Outcome, _culture)));
            var missing = keys.Where(k => k.Status == DkimKeyStatus.Missing).ToList();
            if (fromSignatures)
                foreach (var key in missing)
                    results.Add(new CheckResult(key.Name, DiagnosisSeverity.Critical, CauseCodes.DkimMissing, T("Diagnosis_Ev_DkimKeyMissing", key.Name, key.Domain, key.Selector)));
            else if (found.Count == 0 && failed.Count == 0 && !results.Any())
                results.Add(new CheckResult(fromDomain, DiagnosisSeverity.Warning, CauseCodes.DkimMissing,
                    T("Diagnosis_Ev_DkimNoCommonKey", fromDomain, string.Join(", ", missing.Select(k => k.Selector)))));
            return results;
        }

        private string T(string key, params object[] args) => Messages.Format(key, _culture, args);
    }
}
