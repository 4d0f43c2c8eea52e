using System.Globalization;
using System.Resources;

namespace MailBlacklist.Engine
{
    /// <summary>Localized user-facing text from Resources/Strings*.resx.</summary>
    public static class Text
    {
        private static readonly ResourceManager Resources =
            new ResourceManager("MailBlacklist.Engine.Resources.Strings", typeof(Text).Assembly);

        // The culture is passed in explicitly because work runs on thread-pool threads whose
        // culture is not the PowerShell host's.
        public static string Get(string key, CultureInfo culture) =>
            Resources.GetString(key, culture ?? CultureInfo.CurrentUICulture) ?? key;

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
