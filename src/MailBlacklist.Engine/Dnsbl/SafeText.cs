using System.Text;

namespace MailBlacklist.Engine.Dnsbl
{
    /// <summary>Text from DNS or a bounce is attacker-controlled: neutralize control characters so it
    /// cannot move the cursor, recolour or retitle an admin's terminal, or break a CSV line.</summary>
    public static class SafeText
    {
        public const int MaxLength = 1024;

        public static string Neutralize(string text)
        {
            if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
            var sb = new StringBuilder(text.Length);
            foreach (char c in text)
            {
                if (sb.Length >= MaxLength) { sb.Append('…'); break; }
                if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F))
                    sb.Append("\\x").Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                else if (c == '\u202E' || c == '\u202D' || c == '\u2066' || c == '\u2067' || c == '\u2068' || c == '\u2069')
                    sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                else
                    sb.Append(c);
            }
            return sb.ToString();
        }
    }
}
