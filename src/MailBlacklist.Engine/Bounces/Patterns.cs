using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>How the bounce reader's fixed patterns are built: once per process (static fields),
    /// and with a time limit so that a pathological message ends in a parse error for that file
    /// instead of a hung pipeline.</summary>
    internal static class Patterns
    {
        /// <summary>Generous: these patterns scan whole message bodies (up to 10 MB) on a busy machine.</summary>
        internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

        internal static TieredRegex Make(string pattern, RegexOptions options) => new TieredRegex(pattern, options, Timeout);
    }

    /// <summary>A pattern that starts interpreted and is compiled to IL, on a worker thread, once it
    /// has been used often enough to repay that. Compiling every pattern up front would add about a
    /// second to reading one pasted bounce; interpreting them for good would make reading thousands
    /// several times slower. Either form gives the same answers.</summary>
    internal sealed class TieredRegex
    {
        /// <summary>Uses before compiling: a few dozen messages.</summary>
        private const int CompileAfter = 32;

        private readonly string _pattern;
        private readonly RegexOptions _options;
        private readonly TimeSpan _timeout;
        private volatile Regex _regex;
        private int _uses;
        // Strings every match contains (folded), or null: a text with none of them cannot match.
        private readonly string[] _literals;
        private readonly MatchCollection _noMatches;

        public TieredRegex(string pattern, RegexOptions options, TimeSpan timeout)
        {
            _pattern = pattern;
            _options = options & ~RegexOptions.Compiled;
            _timeout = timeout;
            _regex = new Regex(pattern, _options, timeout);
            // Culture-dependent case rules are not what FoldedText folds by.
            bool culturalCase = (_options & RegexOptions.IgnoreCase) != 0 && (_options & RegexOptions.CultureInvariant) == 0;
            _literals = culturalCase ? null : RequiredLiterals.Of(pattern, _options);
            // Enumerated once here, so that the shared empty collection is complete and read-only.
            if (_literals != null) { _noMatches = _regex.Matches(string.Empty); _ = _noMatches.Count; }
        }

        /// <summary>False only when the text holds none of the pattern's required literals.</summary>
        private bool MayMatch(string input)
        {
            return _literals == null || input == null || FoldedText.ContainsAny(input, _literals);
        }

        private Regex For(string input)
        {
            // Only the thread whose use reaches the threshold hands its text over, so no message
            // stays referenced by the pattern after compiling.
            if (_uses < CompileAfter && Interlocked.Increment(ref _uses) == CompileAfter)
            {
                string sample = input;
                Task.Run(() => Compile(sample));
            }
            return _regex;
        }

        private void Compile(string sample)
        {
            var compiled = new Regex(_pattern, _options | RegexOptions.Compiled, _timeout);
            // Run it once here on a text it has really seen, so that its code is JIT-compiled on this
            // thread: JIT time spent inside a real match counts against the match's time limit, and
            // on a loaded machine could make a rule time out and be skipped.
            try { compiled.Match(sample ?? string.Empty); }
            catch (RegexMatchTimeoutException) { }
            _regex = compiled;
        }

        // A text the pattern cannot match skips the regex (and its use count) altogether. The
        // empty results are what the regex itself would give: no match, no matches, the input as is.
        public bool IsMatch(string input) => MayMatch(input) && For(input).IsMatch(input);
        public Match Match(string input) => MayMatch(input) ? For(input).Match(input) : System.Text.RegularExpressions.Match.Empty;
        public MatchCollection Matches(string input) => MayMatch(input) ? For(input).Matches(input) : _noMatches;
        public string Replace(string input, string replacement) => MayMatch(input) ? For(input).Replace(input, replacement) : input;
        public string Replace(string input, MatchEvaluator evaluator) => MayMatch(input) ? For(input).Replace(input, evaluator) : input;
        public override string ToString() => _pattern;
    }
}
