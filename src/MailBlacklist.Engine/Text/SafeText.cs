using System.Text;

namespace MailBlacklist.Engine.Text
{
    /// <summary>The one text-safety rule for every string that leaves the module. Text from DNS, a
    /// bounce or a file name is attacker-controlled: control characters could move the cursor,
    /// recolour or retitle an admin's terminal, or break a CSV line; bidi controls and invisible
    /// characters could make a name read as another (U+202E turns "gpj.exe" round). Each such
    /// character is shown as a visible escape (\x1B, \u202E) instead.</summary>
    public static class SafeText
    {
        public const int MaxLength = 1024;

        /// <summary>Escapes unsafe characters and cuts the text at <see cref="MaxLength"/>.</summary>
        public static string Neutralize(string text) => Neutralize(text, MaxLength);

        /// <summary>Escapes unsafe characters; cuts at <paramref name="maxLength"/> (int.MaxValue: never).
        /// Idempotent: an escape holds only printable ASCII, so neutralizing twice changes nothing.</summary>
        public static string Neutralize(string text, int maxLength) => Neutralize(text, maxLength, false);

        /// <summary>As <see cref="Neutralize(string, int)"/>; with <paramref name="keepLineBreaks"/>,
        /// line feeds (and CR LF pairs) stay, for a text meant to be several lines (a message body).</summary>
        public static string Neutralize(string text, int maxLength, bool keepLineBreaks)
        {
            if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
            if (text.Length <= maxLength && IsSafe(text)) return text;
            var sb = new StringBuilder(text.Length + 16);
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (sb.Length >= maxLength) { sb.Append('…'); break; }
                if (keepLineBreaks && (c == '\n' || (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')))
                    sb.Append(c);
                else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F))
                    sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                else if (IsInvisibleControl(c))
                    sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                else
                    sb.Append(c);
            }
            return sb.ToString();
        }

        /// <summary>True when the text holds no character that <see cref="Neutralize(string)"/> escapes.</summary>
        public static bool IsSafe(string text)
        {
            if (text == null) return true;
            foreach (char c in text)
                if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || IsInvisibleControl(c)) return false;
            return true;
        }

        /// <summary>Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069), directional
        /// marks (U+200E, U+200F, U+061C), zero-width characters (U+200B-200D, U+2060) and the BOM
        /// U+FEFF: invisible, yet they change how the text around them reads.</summary>
        public static bool IsInvisibleControl(char c) =>
            (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
            || (c >= '\u200B' && c <= '\u200F') || c == '\u061C' || c == '\u2060' || c == '\uFEFF';
    }
}
