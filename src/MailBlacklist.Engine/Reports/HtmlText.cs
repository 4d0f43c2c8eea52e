using System.Text;

namespace MailBlacklist.Engine.Reports
{
    /// <summary>Every text of the report goes through here. DNS TXT records and bounce texts are
    /// written by strangers: markup characters are encoded (in element text and in quoted
    /// attributes alike), and characters that can hide or reorder text — controls, bidi overrides
    /// and isolates, line/paragraph separators, lone surrogates — are shown as visible escapes
    /// instead, so what a reader sees is what the record said.</summary>
    public static class HtmlText
    {
        public const int MaxLength = 4000;

        public static string Encode(string text)
        {
            if (string.IsNullOrEmpty(text)) return string.Empty;
            var sb = new StringBuilder(text.Length + 16);
            for (int i = 0; i < text.Length; i++)
            {
                if (sb.Length >= MaxLength) { sb.Append('…'); break; }
                char c = text[i];
                switch (c)
                {
                    case '&': sb.Append("&amp;"); continue;
                    case '<': sb.Append("&lt;"); continue;
                    case '>': sb.Append("&gt;"); continue;
                    case '"': sb.Append("&quot;"); continue;
                    case '\'': sb.Append("&#39;"); continue;
                    case '\n': case '\t': sb.Append(c); continue;
                }
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    sb.Append(c).Append(text[++i]);
                    continue;
                }
                if (char.IsSurrogate(c)) { sb.Append('\uFFFD'); continue; }
                if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
                    sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                else if (IsHidingFormat(c))
                    sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                else
                    sb.Append(c);
            }
            return sb.ToString();
        }

        /// <summary>Bidi marks, embeddings, overrides and isolates (they reorder what follows, the
        /// "Trojan Source" trick), and the Unicode line separators.</summary>
        private static bool IsHidingFormat(char c) =>
            c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E')
            || (c >= '\u2066' && c <= '\u2069') || c == '\u2028' || c == '\u2029';

        /// <summary>An address for href: only absolute http and https URLs become links (never
        /// javascript:, data: or a relative path); anything else returns null and is shown as text.</summary>
        public static string SafeHref(string url)
        {
            if (string.IsNullOrWhiteSpace(url)) return null;
            if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)) return null;
            if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return null;
            return Encode(uri.AbsoluteUri);
        }
    }
}
