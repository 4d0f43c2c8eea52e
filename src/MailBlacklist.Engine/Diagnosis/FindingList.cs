using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>One case's findings, in the order the checks add them. A check names the check, the
    /// target, the cause code and the evidence; the cause table (CauseCodes) gives the severity, the
    /// page and the two texts, unless the check knows better (a list's own lookup page, an
    /// enforcing policy).</summary>
    internal sealed class FindingList
    {
        private readonly List<DiagnosisFinding> _items = new List<DiagnosisFinding>();

        public FindingList(string label, CultureInfo culture)
        {
            Label = label ?? string.Empty;
            Culture = culture;
        }

        /// <summary>What the user gave: every finding's Input.</summary>
        public string Label { get; }
        public CultureInfo Culture { get; }
        public List<DiagnosisFinding> Items => _items;

        /// <summary>Adds a finding. <paramref name="severity"/> null: the cause's usual one;
        /// <paramref name="url"/> null or empty: the cause's default page.</summary>
        public DiagnosisFinding Add(string check, string target, string cause, string evidence, DiagnosisSeverity? severity = null, string url = null)
        {
            var finding = Create(Label, target, check, cause, evidence, Culture, severity, url);
            _items.Add(finding);
            return finding;
        }

        public bool Any(string check) => _items.Any(f => f.Check == check);

        /// <summary>A finding outside a case's list (run-wide findings, rewritten ones).</summary>
        public static DiagnosisFinding Create(string label, string target, string check, string cause, string evidence, CultureInfo culture,
            DiagnosisSeverity? severity = null, string url = null)
        {
            var row = CauseCodes.Get(cause);
            return new DiagnosisFinding
            {
                Input = SafeText.Neutralize(label ?? string.Empty),
                Target = SafeText.Neutralize(target ?? string.Empty),
                Check = check,
                Severity = severity ?? row.Severity,
                CauseCode = cause,
                Cause = Messages.Get(row.CauseKey, culture),
                Evidence = SafeText.Neutralize(evidence ?? string.Empty),
                Fix = Messages.Get(row.FixKey, culture),
                Url = string.IsNullOrEmpty(url) ? row.Url : url,
            };
        }

        /// <summary>A localized text of DiagnosisStrings.</summary>
        public string T(string key, params object[] args) => args.Length == 0 ? Messages.Get(key, Culture) : Messages.Format(key, Culture, args);

        /// <summary>Why a lookup gave no answer, in the user's language.</summary>
        public string Outcome(DnsOutcome outcome) => SpfEvaluator.DescribeOutcome(outcome, Culture);

        public static string FirstOf(params string[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? string.Empty;
    }
}
