using System.Resources;

namespace MailBlacklist.Engine.Text
{
    /// <summary>Localized user-facing text from Resources/Strings*.resx.</summary>
    public static class Messages
    {
        // One resource file per area (Resources/*.resx), so that each area's texts stay together.
        private static readonly ResourceManager[] Resources =
            new[] { "Strings", "BounceStrings", "DiagnosisStrings", "RequestStrings", "ReportStrings" }
                .Where(name => typeof(Messages).Assembly.GetManifestResourceInfo("MailBlacklist.Engine.Resources." + name + ".resources") != null)
                .Select(name => new ResourceManager("MailBlacklist.Engine.Resources." + name, typeof(Messages).Assembly))
                .ToArray();

        // The culture is passed in explicitly because work runs on thread-pool threads whose
        // culture is not the PowerShell host's.
        public static string Get(string key, CultureInfo culture)
        {
            culture = ForLookup(culture ?? CultureInfo.CurrentUICulture);
            // Every bounce asks for its cause and fix: look each text up once per culture.
            var cacheKey = (key, culture.Name);
            if (Cache.TryGetValue(cacheKey, out string known)) return known;
            string found = null;
            foreach (var resources in Resources)
            {
                string text = resources.GetString(key, culture);
                if (text != null) { found = text; break; }
            }
            if (found == null) found = Missing(key);
            // Bounded: keys are the module's own; only unusual cultures add entries.
            if (Cache.Count < 10000) Cache[cacheKey] = found;
            return found;
        }

        // A typo in a key must not pass silently: a Debug build (what `dotnet test` of the engine
        // tests builds) throws; a Release build shows the key, which the engine tests also hold
        // against every key the sources use (tests/Engine.Tests/Text/ResourceKeyTests.cs).
        private static string Missing(string key)
        {
#if DEBUG
            throw new System.Collections.Generic.KeyNotFoundException("No text for key '" + key + "' in Resources/*.resx.");
#else
            return key;
#endif
        }

        // The Japanese texts ship as one ja-JP satellite. A bare "ja" (LANG=ja) or another ja-XX
        // would fall back to English through .NET's chain, so every Japanese culture reads ja-JP.
        private static readonly CultureInfo JapaneseTexts = CultureInfo.GetCultureInfo("ja-JP");

        internal static CultureInfo ForLookup(CultureInfo culture) =>
            culture.TwoLetterISOLanguageName == "ja" ? JapaneseTexts : culture;

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), string> Cache =
            new System.Collections.Concurrent.ConcurrentDictionary<(string, string), string>();

        public static string Format(string key, CultureInfo culture, params object[] args) =>
            string.Format(culture ?? CultureInfo.CurrentUICulture, Get(key, culture), args);

        /// <summary>Picks the Japanese or English variant of a text that comes from a data file.</summary>
        public static string Pick(string english, string japanese, CultureInfo culture)
        {
            culture = culture ?? CultureInfo.CurrentUICulture;
            bool ja = culture.Name.StartsWith("ja", System.StringComparison.OrdinalIgnoreCase);
            return ja && !string.IsNullOrEmpty(japanese) ? japanese : english ?? string.Empty;
        }
    }
}
