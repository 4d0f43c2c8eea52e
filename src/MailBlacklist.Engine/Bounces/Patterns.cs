using System;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

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

        public TieredRegex(string pattern, RegexOptions options, TimeSpan timeout)
        {
            _pattern = pattern;
            _options = options & ~RegexOptions.Compiled;
            _timeout = timeout;
            _regex = new Regex(pattern, _options, timeout);
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

        public bool IsMatch(string input) => For(input).IsMatch(input);
        public Match Match(string input) => For(input).Match(input);
        public MatchCollection Matches(string input) => For(input).Matches(input);
        public string Replace(string input, string replacement) => For(input).Replace(input, replacement);
        public string Replace(string input, MatchEvaluator evaluator) => For(input).Replace(input, evaluator);
        public override string ToString() => _pattern;
    }
}
