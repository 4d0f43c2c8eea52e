using System;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>A text folded so that a plain ordinal search finds what a case-insensitive pattern
    /// would: ASCII letters lower-cased, and every other character that the regex engine treats as
    /// equal to an ASCII character under IgnoreCase | CultureInvariant (the Kelvin sign for k, for
    /// instance) mapped to that character. The map is asked of the regex engine itself, once, so it
    /// follows whatever the running .NET version considers equal.</summary>
    internal static class FoldedText
    {
        private static readonly char[] NonAscii = BuildMap();

        private static char[] BuildMap()
        {
            var map = new char[0x10000];
            for (int c = 0; c < map.Length; c++) map[c] = (char)c;
            for (int c = 'A'; c <= 'Z'; c++) map[c] = (char)(c + 32);
            var all = new char[0x10000 - 0x80];
            for (int i = 0; i < all.Length; i++) all[i] = (char)(0x80 + i);
            const RegexOptions options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
            foreach (Match m in new Regex(@"[\x00-\x7F]", options).Matches(new string(all)))
            {
                char t = m.Value[0];
                string text = t.ToString();
                for (int a = 0; a < 0x80; a++)
                {
                    if (!new Regex(Regex.Escape(((char)a).ToString()), options).IsMatch(text)) continue;
                    map[t] = map[a];
                    break;
                }
            }
            return map;
        }

        public static char Fold(char c) => NonAscii[c];

        // The same text is asked about by many patterns in a row: keep the last few (per thread,
        // since files are read in parallel), compared by reference.
        private const int Slots = 4;
        [ThreadStatic] private static string[] _inputs;
        [ThreadStatic] private static string[] _outputs;
        [ThreadStatic] private static int _next;

        public static string Of(string text)
        {
            var inputs = _inputs ?? (_inputs = new string[Slots]);
            var outputs = _outputs ?? (_outputs = new string[Slots]);
            for (int i = 0; i < Slots; i++)
                if (ReferenceEquals(inputs[i], text)) return outputs[i];
            string folded = Fold(text);
            inputs[_next] = text;
            outputs[_next] = folded;
            _next = (_next + 1) % Slots;
            return folded;
        }

        private static string Fold(string text)
        {
            var map = NonAscii;
            int i = 0;
            while (i < text.Length && map[text[i]] == text[i]) i++;
            if (i == text.Length) return text;
            var chars = text.ToCharArray();
            for (; i < chars.Length; i++) chars[i] = map[chars[i]];
            return new string(chars);
        }
    }
}
