using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>One rule's list of patterns, matched as "any of them" (what one alternation of them
    /// all would answer), but each pattern on its own. Half the phrases are plain words: a folded
    /// search finds them without any regex. The rest run as small patterns, each only on texts that
    /// hold its own required words. One pattern that guarantees no word no longer makes the whole
    /// rule scan every text, and only the patterns that really run are ever compiled, each small,
    /// instead of one large alternation per rule (compiling those cost more than a thousand bounces).</summary>
    internal sealed class PhraseMatcher
    {
        // Folded as FoldedText folds: the text holds the phrase exactly when it contains one of these.
        private readonly string[] _words;
        private readonly TieredRegex[] _patterns;

        public PhraseMatcher(IEnumerable<string> patterns, RegexOptions options, TimeSpan timeout)
        {
            var words = new List<string>();
            var others = new List<TieredRegex>();
            foreach (string p in patterns)
            {
                string word = PlainWord(p, options);
                if (word != null) words.Add(word);
                else others.Add(new TieredRegex(p, options, timeout));
            }
            _words = words.Distinct(StringComparer.Ordinal).ToArray();
            _patterns = others.ToArray();
        }

        /// <summary>The folded phrase when the pattern is nothing but literal characters (no regex
        /// syntax at all) that fold exactly, under case-insensitive invariant matching; else null.</summary>
        private static string PlainWord(string pattern, RegexOptions options)
        {
            if ((options & RegexOptions.IgnoreCase) == 0 || (options & RegexOptions.CultureInvariant) == 0) return null;
            if (pattern.Length == 0 || pattern.IndexOfAny(Syntax) >= 0) return null;
            // RequiredLiterals folds only what folds exactly; a plain pattern it keeps whole is that word.
            string[] literals = RequiredLiterals.Of(pattern, options);
            return literals != null && literals.Length == 1 && literals[0].Length == pattern.Length ? literals[0] : null;
        }

        private static readonly char[] Syntax = @"\.^$|?*+()[]{}#".ToCharArray();

        /// <summary>True when any pattern matches. A pattern that runs out of time counts as no match.</summary>
        public bool IsMatch(string text)
        {
            if (_words.Length > 0 && FoldedText.ContainsAny(text, _words)) return true;
            foreach (var p in _patterns)
            {
                try { if (p.IsMatch(text)) return true; }
                catch (RegexMatchTimeoutException) { }
            }
            return false;
        }
    }
}
