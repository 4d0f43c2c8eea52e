using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Bounces;
using MailBlacklist.Engine.Diagnosis;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Text;
using Xunit;

namespace MailBlacklist.Engine.Tests.Text
{
    /// <summary>Every text the code asks for exists in en-US and ja-JP, once. Text.Get shows the key
    /// itself when a text is missing (in Release), so without these a typo would ship silently.</summary>
    public sealed class ResourceKeyTests
    {
        private static readonly Dictionary<string, string> En = Resx.All(Resx.English);
        private static readonly Dictionary<string, string> Ja = Resx.All(Resx.Japanese);

        private static void AssertBothCultures(IEnumerable<string> keys, string why)
        {
            var missing = keys.SelectMany(k => new[] { (k, "en-US", En), (k, "ja-JP", Ja) })
                .Where(x => !x.Item3.TryGetValue(x.k, out var text) || string.IsNullOrWhiteSpace(text))
                .Select(x => x.k + " (" + x.Item2 + ")").ToList();
            Assert.True(missing.Count == 0, why + ": no text for " + string.Join(", ", missing));
        }

        [Fact]
        public void EveryCauseCodeHasCauseAndFixInBothCultures() =>
            AssertBothCultures(CauseCodes.All.SelectMany(c => new[] { "Cause_" + c, "Fix_" + c }), "cause codes");

        [Fact]
        public void EveryBounceReasonHasCauseAndFixInBothCultures()
        {
            // BounceParser explains a delay notice as "Delayed", whatever its reason.
            var reasons = BounceRules.Default.ReasonNames.Append("Delayed");
            AssertBothCultures(reasons.SelectMany(r => new[] { "Cause_" + r, "Fix_" + r }), "bounce reasons");
        }

        [Fact]
        public void DynamicKeysHaveTexts()
        {
            AssertBothCultures(Enum.GetNames(typeof(DnsOutcome)).Select(o => "MailServer_Outcome_" + o), "SpfEvaluator.DescribeOutcome");
            AssertBothCultures(Enum.GetNames(typeof(AddressRole)).Select(r => "Diagnosis_Ev_Role" + r), "address roles");
        }

        // A key literal: Area_Name, not an environment variable (ALL_CAPS).
        private static readonly Regex KeyLiteral = new(@"""(?<key>[A-Z][A-Za-z0-9]*_[A-Za-z0-9_]*)""(?<concat>\s*\+)?", RegexOptions.CultureInvariant);

        [Fact]
        public void EveryKeyTheSourcesNameExists()
        {
            var literals = Directory.EnumerateFiles(Repo.Path("src"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
                .SelectMany(f => KeyLiteral.Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: m.Groups["key"].Value, Prefix: m.Groups["concat"].Success)))
                .Where(l => l.Key.Any(char.IsLower))
                .ToList();
            Assert.True(literals.Count > 100, "the scan found only " + literals.Count + " key literals: has the lookup style changed?");
            AssertBothCultures(literals.Where(l => !l.Prefix).Select(l => l.Key).Distinct(), "keys named in src");
            var deadPrefixes = literals.Where(l => l.Prefix && !En.Keys.Any(k => k.StartsWith(l.Key, StringComparison.Ordinal)))
                .Select(l => l.File + ": " + l.Key).ToList();
            Assert.True(deadPrefixes.Count == 0, "key prefixes with no key: " + string.Join(", ", deadPrefixes));
        }

        [Fact]
        public void NoKeyIsInTwoFilesAndBothCulturesHaveTheSameKeys()
        {
            foreach (string culture in new[] { Resx.English, Resx.Japanese })
            {
                var twice = Resx.Areas.SelectMany(a => Resx.Read(a, culture).Keys.Select(k => (Area: a, Key: k)))
                    .GroupBy(x => x.Key).Where(g => g.Count() > 1).Select(g => g.Key + " in " + string.Join(" and ", g.Select(x => x.Area))).ToList();
                Assert.True(twice.Count == 0, "keys that shadow one another" + culture + ": " + string.Join("; ", twice));
            }
            foreach (string area in Resx.Areas)
            {
                var en = Resx.Read(area, Resx.English).Keys.ToHashSet();
                var ja = Resx.Read(area, Resx.Japanese).Keys.ToHashSet();
                Assert.True(en.SetEquals(ja), area + ": only en-US " + string.Join(",", en.Except(ja)) + "; only ja-JP " + string.Join(",", ja.Except(en)));
            }
        }

        private static readonly Regex Placeholder = new(@"\{(\d+)(?:[,:][^}]*)?\}", RegexOptions.CultureInvariant);

        [Fact]
        public void BothCulturesUseTheSamePlaceholders()
        {
            var differ = En.Where(p => Ja.ContainsKey(p.Key))
                .Where(p => !Numbers(p.Value).SetEquals(Numbers(Ja[p.Key])))
                .Select(p => p.Key).ToList();
            Assert.True(differ.Count == 0, "placeholders differ between en-US and ja-JP: " + string.Join(", ", differ));
        }

        private static HashSet<string> Numbers(string text) => Placeholder.Matches(text).Select(m => m.Groups[1].Value).ToHashSet();

        [Fact]
        public void MissingKeyIsLoudInDebugAndVisibleInRelease()
        {
#if DEBUG
            Assert.Throws<KeyNotFoundException>(() => Messages.Get("No_Such_Key_Anywhere", CultureInfo.InvariantCulture));
#else
            Assert.Equal("No_Such_Key_Anywhere", Messages.Get("No_Such_Key_Anywhere", CultureInfo.InvariantCulture));
#endif
            Assert.Equal(En["Cause_Ok"], Messages.Get("Cause_Ok", CultureInfo.GetCultureInfo("en-US")));
            Assert.Equal(Ja["Cause_Ok"], Messages.Get("Cause_Ok", CultureInfo.GetCultureInfo("ja-JP")));
        }
    }
}
