#nullable enable
namespace MailBlacklist.Engine.MailServers
{
    /// <summary>The RFC 7208 grammar rules the evaluator checks beyond splitting terms: a record
    /// that breaks them is a permerror for every receiver, so it must be one here too.</summary>
    internal static class SpfSyntax
    {
        /// <summary>RFC 7208 3.1: records are 7-bit ASCII; terms are separated by spaces only, so
        /// any other control character is part of a (then broken) term.</summary>
        public static bool IsPrintableAscii(string text)
        {
            foreach (char c in text)
                if (c != ' ' && (c < 0x21 || c > 0x7E)) return false;
            return true;
        }

        /// <summary>RFC 7208 6 and 12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).</summary>
        public static bool IsModifierName(string name)
        {
            if (name.Length == 0 || !IsAlpha(name[0])) return false;
            foreach (char c in name)
                if (!IsAlpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.') return false;
            return true;
        }

        /// <summary>RFC 7208 7.1: a macro-string. '%' starts "%{" letter digits ["r"] delimiters "}",
        /// "%%", "%_" or "%-"; the letters c, r and t belong to exp= explanation texts only.</summary>
        public static bool IsMacroString(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c < 0x21 || c > 0x7E) return false;
                if (c != '%') continue;
                if (++i >= text.Length) return false;
                char next = text[i];
                if (next == '%' || next == '_' || next == '-') continue;
                if (next != '{' || ++i >= text.Length) return false;
                if ("slodiphvSLODIPHV".IndexOf(text[i]) < 0) return false;
                int close = text.IndexOf('}', i);
                if (close < 0) return false;
                for (int j = i + 1; j < close; j++)
                    if (!char.IsDigit(text[j]) && "rR.-+,/_=".IndexOf(text[j]) < 0) return false;
                i = close;
            }
            return true;
        }

        /// <summary>RFC 7208 7.1 domain-end for a name written without macros: at least two labels,
        /// and a top label that is not all digits (so "a:192.0.2.1" or "a:localhost" is an error).</summary>
        public static bool HasDomainEnd(string domainSpec)
        {
            string name = domainSpec.EndsWith(".", System.StringComparison.Ordinal) ? domainSpec.Substring(0, domainSpec.Length - 1) : domainSpec;
            int dot = name.LastIndexOf('.');
            if (dot <= 0 || dot == name.Length - 1) return false;
            string top = name.Substring(dot + 1);
            bool alpha = false;
            foreach (char c in top)
            {
                if (IsAlpha(c)) alpha = true;
                else if (!(c >= '0' && c <= '9') && c != '-') return false;
            }
            // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
            if (top[0] == '-' || top[top.Length - 1] == '-') return false;
            return alpha || top.IndexOf('-') > 0;
        }

        /// <summary>RFC 7208 7.1 domain-spec = macro-string domain-end, where domain-end may also be a
        /// macro-expand ("exp=-all" and "redirect=" are errors even where never used).</summary>
        public static bool IsDomainSpec(string text) =>
            IsMacroString(text) && (HasDomainEnd(text) || (text.EndsWith("}", System.StringComparison.Ordinal) && text.IndexOf("%{", System.StringComparison.Ordinal) >= 0));

        /// <summary>A target written without macros, as the name to query: the domain-spec grammar
        /// allows any visible ASCII ("a:foo:bar/baz.example.com" is legal), not only host names.
        /// Lower case, without the trailing dot; null when a label is empty or over 63 characters.</summary>
        public static string? NormalizeTarget(string text)
        {
            string name = text.TrimEnd('.').ToLowerInvariant();
            if (name.Length == 0 || name.Length > 253 || !IsMacroString(name.Replace("%", "%%"))) return null;
            foreach (string label in name.Split('.'))
                if (label.Length == 0 || label.Length > 63) return null;
            return name;
        }

        private static bool IsAlpha(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
