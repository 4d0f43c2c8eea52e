using System.IO;
using System.Runtime.Serialization;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>The diagnosis data (Data/diagnosis-rules.json, embedded in the DLL): which cause a
    /// bounce's words point to, which PTR names look like a hosting provider's shared server, and
    /// the DKIM selectors to guess. Each cause's own page is in the cause table (CauseCodes).</summary>
    [DataContract]
    public sealed class DiagnosisRules
    {
        [DataMember(Name = "bounceRules")] public List<BounceCauseRule> BounceRules { get; set; }
        [DataMember(Name = "hostingPtrPatterns")] public List<string> HostingPtrPatterns { get; set; }
        [DataMember(Name = "sharedDomainThreshold")] public int SharedDomainThreshold { get; set; }
        /// <summary>Selectors common providers sign with, tried when the message shows no DKIM-Signature.</summary>
        [DataMember(Name = "dkimSelectors")] public List<string> DkimSelectors { get; set; }

        private List<Regex> _hosting;
        private static readonly Lazy<DiagnosisRules> Shipped = new Lazy<DiagnosisRules>(LoadShipped);

        public static DiagnosisRules Default => Shipped.Value;

        public static DiagnosisRules Load(Stream stream)
        {
            var rules = JsonData.Read<DiagnosisRules>(stream);
            if (rules?.BounceRules == null) throw new InvalidDataException("diagnosis rules: no bounce rules");
            rules.DkimSelectors = rules.DkimSelectors ?? new List<string>();
            rules._hosting = (rules.HostingPtrPatterns ?? new List<string>()).Select(Compile).ToList();
            foreach (var r in rules.BounceRules)
            {
                r.Regex = string.IsNullOrEmpty(r.Pattern) ? null : Compile(r.Pattern);
                r.Reasons = r.Reasons ?? new List<string>();
            }
            if (rules.SharedDomainThreshold < 2) rules.SharedDomainThreshold = 3;
            return rules;
        }

        private static DiagnosisRules LoadShipped()
        {
            using (var stream = typeof(DiagnosisRules).Assembly.GetManifestResourceStream("MailBlacklist.Engine.Data.diagnosis-rules.json"))
                return Load(stream);
        }

        private static Regex Compile(string pattern) =>
            new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        /// <summary>The PTR name matches a hosting provider's naming (sv1234.host.example, *.xserver.jp...).</summary>
        public bool LooksLikeHosting(string hostName)
        {
            if (string.IsNullOrEmpty(hostName)) return false;
            try { return _hosting.Any(r => r.IsMatch(hostName)); }
            catch (RegexMatchTimeoutException) { return false; }
        }

        /// <summary>The first rule that matches the bounce; the last rule matches anything.</summary>
        public BounceCauseRule Match(BounceReason bounce)
        {
            string text = string.Join(" ", new[] { bounce.DiagnosticText, bounce.Status, bounce.ProviderCode, bounce.Blocklist, bounce.Url }
                .Where(s => !string.IsNullOrEmpty(s)));
            foreach (var rule in BounceRules)
            {
                if (rule.Reasons.Count > 0 && !rule.Reasons.Contains(bounce.Reason ?? string.Empty, StringComparer.OrdinalIgnoreCase)) continue;
                try { if (rule.Regex != null && !rule.Regex.IsMatch(text)) continue; }
                catch (RegexMatchTimeoutException) { continue; }
                return rule;
            }
            return BounceRules[BounceRules.Count - 1];
        }
    }

    [DataContract]
    public sealed class BounceCauseRule
    {
        [DataMember(Name = "cause")] public string Cause { get; set; }
        [DataMember(Name = "severity")] public string SeverityName { get; set; }
        [DataMember(Name = "reasons")] public List<string> Reasons { get; set; }
        [DataMember(Name = "pattern")] public string Pattern { get; set; }
        [DataMember(Name = "url")] public string Url { get; set; }
        /// <summary>A resource key suffix (Fix_...) for a fix narrower than the cause's own.</summary>
        [DataMember(Name = "fix")] public string Fix { get; set; }
        internal Regex Regex { get; set; }
        public DiagnosisSeverity Severity => Enum.TryParse(SeverityName, true, out DiagnosisSeverity s) ? s : DiagnosisSeverity.Warning;
    }
}
