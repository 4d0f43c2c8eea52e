using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Diagnosis;
using MailBlacklist.Engine.Tests.Text;
using Xunit;

namespace MailBlacklist.Engine.Tests.Diagnosis
{
    /// <summary>The cause table (CauseCodes.Table) against everything that must follow it: the
    /// diagnosis texts in both cultures, the about topics in both cultures, and the bounce rules.
    /// Adding a code without its texts or its section in about_MailBlacklist_Causes fails here.</summary>
    public sealed class CauseTableTests
    {
        public static IEnumerable<object[]> Cultures => new[] { new object[] { Resx.English, "en-US" }, new object[] { Resx.Japanese, "ja-JP" } };

        [Theory, MemberData(nameof(Cultures))]
        public void EveryCodeHasItsTwoTexts(string resxCulture, string name)
        {
            // DiagnosisStrings*.resx, except for codes that are bounce reasons too (NotABounce): a
            // key lives in one file only, and theirs is BounceStrings.
            var texts = Resx.All(resxCulture);
            var missing = CauseCodes.Table.SelectMany(c => new[] { c.CauseKey, c.FixKey })
                .Where(k => !texts.TryGetValue(k, out var t) || string.IsNullOrWhiteSpace(t)).ToList();
            Assert.True(missing.Count == 0, "no " + name + " text for " + string.Join(", ", missing));
        }

        // A section heading of the about topic: two spaces, then one or more codes separated by " / "
        // (ja-JP adds a Japanese title in full-width parentheses).
        private static readonly Regex Heading = new(@"^  (?<codes>[A-Z][A-Za-z]+(?: / [A-Z][A-Za-z]+)*)(?:（.*）)?\s*$", RegexOptions.CultureInvariant);

        private static List<string> DocumentedCodes(string culture) =>
            File.ReadAllLines(Repo.Path(culture, "about_MailBlacklist_Causes.help.txt"))
                .Select(l => Heading.Match(l)).Where(m => m.Success)
                .SelectMany(m => m.Groups["codes"].Value.Split(new[] { " / " }, StringSplitOptions.None)).ToList();

        [Theory, MemberData(nameof(Cultures))]
        public void AboutTopicHasASectionForEveryCodeAndNoOther(string resxCulture, string name)
        {
            _ = resxCulture;
            var documented = DocumentedCodes(name);
            Assert.Empty(CauseCodes.All.Except(documented));
            Assert.Empty(documented.Except(CauseCodes.All));
            Assert.Equal(documented.Count, documented.Distinct().Count());
        }

        [Fact]
        public void BothAboutTopicsExplainTheCodesInTheTableOrder() =>
            Assert.Equal(CauseCodes.All, DocumentedCodes("en-US"));

        [Fact]
        public void CodesAreUniqueAndGetFindsEach()
        {
            Assert.Equal(CauseCodes.All.Length, CauseCodes.All.Distinct(StringComparer.Ordinal).Count());
            foreach (var row in CauseCodes.Table) Assert.Same(row, CauseCodes.Get(row.Code));
            Assert.Throws<ArgumentException>(() => CauseCodes.Get("NoSuchCause"));
        }

        [Fact]
        public void OnlyProblemsHavePagesAndOkIsTheOnlyOkSeverity()
        {
            Assert.Equal("", CauseCodes.UrlFor(CauseCodes.Ok));
            Assert.Equal("", CauseCodes.UrlFor(CauseCodes.DnsFailure));
            Assert.All(CauseCodes.Table.Where(c => c.Url.Length > 0), c => Assert.StartsWith("https://", c.Url));
            Assert.Equal(new[] { CauseCodes.Ok }, CauseCodes.Table.Where(c => c.Severity == DiagnosisSeverity.Ok).Select(c => c.Code));
        }

        [Fact]
        public void BounceRulesNameOnlyCodesOfTheTable()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Repo.Path("src", "MailBlacklist.Engine", "Data", "diagnosis-rules.json")));
            var ruleCauses = doc.RootElement.GetProperty("bounceRules").EnumerateArray().Select(r => r.GetProperty("cause").GetString()!).Distinct();
            Assert.Empty(ruleCauses.Except(CauseCodes.All));
        }
    }
}
