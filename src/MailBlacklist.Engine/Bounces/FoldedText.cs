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

        // The same text is asked about by many patterns in a row: keep the folded copies of the
        // last few (per thread, since files are read in parallel), compared by reference, in
        // buffers that are reused rather than allocated per text.
        private const int Slots = 4;
        [ThreadStatic] private static string[] _inputs;
        [ThreadStatic] private static char[][] _buffers;
        [ThreadStatic] private static bool[] _asIs;
        [ThreadStatic] private static int _next;

        /// <summary>True when the folded text contains at least one of the (folded) literals.</summary>
        public static bool ContainsAny(string text, string[] literals)
        {
            ReadOnlySpan<char> folded = Folded(text);
            foreach (string literal in literals)
                if (folded.IndexOf(literal.AsSpan()) >= 0) return true;
            return false;
        }

        private static ReadOnlySpan<char> Folded(string text)
        {
            var inputs = _inputs ?? (_inputs = new string[Slots]);
            var buffers = _buffers ?? (_buffers = new char[Slots][]);
            var asIs = _asIs ?? (_asIs = new bool[Slots]);
            for (int i = 0; i < Slots; i++)
                if (ReferenceEquals(inputs[i], text)) return asIs[i] ? text.AsSpan() : new ReadOnlySpan<char>(buffers[i], 0, text.Length);
            int slot = _next;
            _next = (_next + 1) % Slots;
            inputs[slot] = text;
            var map = NonAscii;
            int start = 0;
            while (start < text.Length && map[text[start]] == text[start]) start++;
            // Most texts need no change at all: search them as they are.
            asIs[slot] = start == text.Length;
            if (asIs[slot]) return text.AsSpan();
            var buffer = buffers[slot];
            // A huge text's buffer is not kept past its turn in the slot.
            if (buffer == null || buffer.Length < text.Length || (buffer.Length > LargeText && text.Length <= LargeText))
                buffers[slot] = buffer = new char[Math.Max(text.Length, 256)];
            text.CopyTo(0, buffer, 0, start);
            for (int i = start; i < text.Length; i++) buffer[i] = map[text[i]];
            return new ReadOnlySpan<char>(buffer, 0, text.Length);
        }

        private const int LargeText = 1 << 16;
    }
}
