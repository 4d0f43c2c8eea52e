using MailBlacklist.Engine.Diagnosis;

namespace MailBlacklist.Engine.Baseline
{
    /// <summary>Last night's Invoke-MailDeliveryDiagnosis CSV, by target, check and cause code.
    /// Findings of this run are New or Unchanged as they are written; at the end, each problem of
    /// the baseline that this run no longer finds becomes one Resolved finding. A problem is not
    /// resolved when its case was not diagnosed this run, or when the same check of the same
    /// input could not run (DnsFailure, for any of its targets: a DKIM key fails by its own name): "could not check" is not "gone".</summary>
    public sealed class DiagnosisBaseline
    {
        private readonly Dictionary<string, DiagnosisFinding> _rows = new Dictionary<string, DiagnosisFinding>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _since = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _failedChecks = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _inputs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public int Count => _rows.Count;

        public static DiagnosisBaseline Load(CsvTable table)
        {
            BaselineKind.RequireRows(table, BaselineKind.Diagnosis);
            var baseline = new DiagnosisBaseline();
            for (int i = 0; i < table.Rows.Count; i++)
            {
                var row = table.Rows[i];
                var severity = BaselineKind.EnumCell<DiagnosisSeverity>(table, i, "Severity");
                var f = new DiagnosisFinding
                {
                    Input = table.Cell(row, "Input"),
                    Target = table.Cell(row, "Target"),
                    Check = table.Cell(row, "Check"),
                    Severity = severity,
                    CauseCode = table.Cell(row, "CauseCode"),
                    Cause = table.Cell(row, "Cause"),
                    Evidence = table.Cell(row, "Evidence"),
                    Url = table.Cell(row, "Url"),
                    Change = table.Cell(row, "Change"),
                };
                // Yesterday's Resolved findings are history, not state: they are compared with nothing.
                if (string.Equals(f.Change, Change.Resolved, StringComparison.OrdinalIgnoreCase)) continue;
                string key = Key(f);
                baseline._rows[key] = f;
                string since = Change.ParseSince(table.Cell(row, "Since"));
                if (since != null) baseline._since[key] = since;
            }
            return baseline;
        }

        private static string Key(DiagnosisFinding f) => Key(f.Target, f.Check, f.CauseCode);
        private static string Key(string target, string check, string cause) =>
            (target ?? string.Empty).Trim() + "\n" + (check ?? string.Empty).Trim() + "\n" + (cause ?? string.Empty).Trim();

        /// <summary>Sets Change and Since of a finding of this run, and remembers it for <see cref="Resolved"/>.</summary>
        public void Annotate(DiagnosisFinding finding, string now)
        {
            string key = Key(finding);
            _seen.Add(key);
            _inputs.Add(finding.Input ?? string.Empty);
            if (finding.CauseCode == CauseCodes.DnsFailure) _failedChecks.Add(Key(finding.Input, finding.Check, null));
            bool known = _rows.ContainsKey(key);
            finding.Change = known ? Change.Unchanged : Change.New;
            finding.Since = known && _since.TryGetValue(key, out string since) ? since : now;
        }

        /// <summary>Records that a case was diagnosed even when it gave no finding of its own.</summary>
        public void Diagnosed(string input) => _inputs.Add(input ?? string.Empty);

        /// <summary>One Info finding per problem (Critical or Warning) of the baseline that this run,
        /// having diagnosed the same input, no longer finds.</summary>
        public IEnumerable<DiagnosisFinding> Resolved(string now, CultureInfo culture)
        {
            foreach (var pair in _rows)
            {
                var before = pair.Value;
                if (before.Severity != DiagnosisSeverity.Critical && before.Severity != DiagnosisSeverity.Warning) continue;
                if (before.CauseCode == CauseCodes.DnsFailure) continue;   // a check that could not run was never a problem found
                if (_seen.Contains(pair.Key) || !_inputs.Contains(before.Input ?? string.Empty)) continue;
                if (_failedChecks.Contains(Key(before.Input, before.Check, null))) continue;
                _since.TryGetValue(pair.Key, out string since);
                yield return new DiagnosisFinding
                {
                    Input = before.Input,
                    Target = before.Target,
                    Check = before.Check,
                    Severity = DiagnosisSeverity.Info,
                    CauseCode = before.CauseCode,
                    Cause = Messages.Format("Baseline_ResolvedCause", culture, SafeText.Neutralize(before.Cause), since ?? "-"),
                    Evidence = SafeText.Neutralize(before.Evidence),
                    Fix = Messages.Get("Baseline_ResolvedFix", culture),
                    Url = before.Url,
                    Change = Change.Resolved,
                    Since = now,
                };
            }
        }
    }
}
