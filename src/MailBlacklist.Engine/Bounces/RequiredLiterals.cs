using System.Text;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>Reads a .NET pattern and finds strings of which every match must contain at least one
    /// (folded as <see cref="FoldedText"/> folds), so that a text holding none of them is known not to
    /// match without running the pattern. Most rules are long alternations of phrases that most texts
    /// do not contain, and a plain search for a few strings costs far less than the regex scan.
    /// Conservative by design: any construct it does not fully understand gives no literals (the
    /// pattern then always runs), so a literal set is never stricter than the pattern.</summary>
    internal static class RequiredLiterals
    {
        // Even one character is worth a check: a vectorized search of a text costs less than
        // starting the regex on it (an "@" the address patterns need is missing from most lines).
        private static bool TooShort(string literal) => literal.Length == 0;

        /// <summary>The literal set, or null when the pattern guarantees none worth checking.</summary>
        public static string[] Of(string pattern, RegexOptions options)
        {
            if ((options & (RegexOptions.IgnorePatternWhitespace | RegexOptions.ECMAScript | RegexOptions.RightToLeft)) != 0) return null;
            try
            {
                var parser = new Parser(pattern);
                var set = parser.Alternation();
                if (parser.Pos != pattern.Length || set == null || set.Count == 0 || set.Any(TooShort)) return null;
                return set.Distinct(StringComparer.Ordinal).ToArray();
            }
            catch (NotSupportedException) { return null; }
        }

        /// <summary>Recursive descent over the pattern; each level returns the literal set its matches
        /// must contain, or null for "no guarantee". Throws NotSupportedException on anything unknown.</summary>
        private sealed class Parser
        {
            private readonly string _p;
            public int Pos;

            public Parser(string pattern) { _p = pattern; }

            private bool More => Pos < _p.Length;
            private char Peek => _p[Pos];

            // a|b|c: every branch must guarantee a literal, and the set is their union.
            public List<string> Alternation()
            {
                var union = new List<string>();
                bool known = true;
                while (true)
                {
                    var branch = Sequence();
                    if (branch == null) known = false;
                    else union.AddRange(branch);
                    if (More && Peek == '|') { Pos++; continue; }
                    break;
                }
                return known ? union : null;
            }

            // One branch: runs of single literal characters make strings; a group that must occur
            // gives its own set. The best candidate (longest shortest string) stands for the branch.
            private List<string> Sequence()
            {
                List<string> best = null;
                var run = new StringBuilder();
                void Offer(List<string> candidate)
                {
                    if (candidate == null || candidate.Count == 0) return;
                    if (best == null || Score(candidate) > Score(best)) best = candidate;
                }
                void Flush()
                {
                    if (run.Length > 0) Offer(new List<string> { run.ToString() });
                    run.Clear();
                }

                while (More && Peek != '|' && Peek != ')')
                {
                    var atom = Atom();
                    Quantifier(out int min, out bool single);
                    switch (atom.Kind)
                    {
                        case AtomKind.ZeroWidth:
                            // Consumes nothing: the characters on either side are adjacent in a match.
                            break;
                        case AtomKind.Literal:
                            if (single) run.Append(atom.Char);
                            else if (min >= 1) { run.Append(atom.Char); Flush(); }
                            else Flush();
                            break;
                        case AtomKind.Group:
                            Flush();
                            if (min >= 1) Offer(atom.Set);
                            break;
                        default:
                            Flush();
                            break;
                    }
                }
                Flush();
                return best;
            }

            private static int Score(List<string> set) => set.Min(s => s.Length) * 1000 - set.Count;

            private enum AtomKind { Literal, ZeroWidth, Group, Other }

            private struct AtomInfo
            {
                public AtomKind Kind;
                public char Char;
                public List<string> Set;
            }

            private static AtomInfo Lit(char c) =>
                Foldable(c) ? new AtomInfo { Kind = AtomKind.Literal, Char = FoldedText.Fold(c) } : new AtomInfo { Kind = AtomKind.Other };

            /// <summary>Characters whose matches under IgnoreCase are known exactly: ASCII (FoldedText
            /// maps every other character the regex engine equates with an ASCII one) and the caseless
            /// Japanese and CJK blocks. Anything else (é, ß, Greek) breaks the literal instead.</summary>
            private static bool Foldable(char c) =>
                c < 0x80 || (c >= 0x3000 && c <= 0x9FFF) || (c >= 0xFF01 && c <= 0xFF20) || (c >= 0xFF61 && c <= 0xFF9F);

            private AtomInfo Atom()
            {
                char c = _p[Pos++];
                switch (c)
                {
                    case '^':
                    case '$':
                        return new AtomInfo { Kind = AtomKind.ZeroWidth };
                    case '.':
                        return new AtomInfo { Kind = AtomKind.Other };
                    case '[':
                        SkipClass();
                        return new AtomInfo { Kind = AtomKind.Other };
                    case '(':
                        return Group();
                    case '\\':
                        return Escape();
                    case '*':
                    case '+':
                    case '?':
                        throw new NotSupportedException();
                    default:
                        return Lit(c);
                }
            }

            private AtomInfo Escape()
            {
                if (!More) throw new NotSupportedException();
                char c = _p[Pos++];
                switch (c)
                {
                    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
                        return new AtomInfo { Kind = AtomKind.ZeroWidth };
                    case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
                        return new AtomInfo { Kind = AtomKind.Other };
                    case 'p': case 'P':
                        int close = _p.IndexOf('}', Pos);
                        if (close < 0) throw new NotSupportedException();
                        Pos = close + 1;
                        return new AtomInfo { Kind = AtomKind.Other };
                    case 't': return Lit('\t');
                    case 'n': return Lit('\n');
                    case 'r': return Lit('\r');
                    case 'f': return Lit('\f');
                    case 'v': return Lit('\v');
                    case 'e': return Lit('\u001B');
                    case 'a': return Lit('\a');
                }
                // Any other escaped punctuation stands for itself (\. \- \[ \/ ...); letters and
                // digits are back-references, \x, \u, \c and friends: not worth decoding.
                if (c < 0x80 && !char.IsLetterOrDigit(c)) return Lit(c);
                throw new NotSupportedException();
            }

            // [...], with escapes, a leading ']' or '^]' taken literally, and [a-z-[aeiou]] subtraction.
            private void SkipClass()
            {
                int depth = 1;
                if (More && Peek == '^') Pos++;
                if (More && Peek == ']') Pos++;
                while (More)
                {
                    char c = _p[Pos++];
                    if (c == '\\') { Pos++; continue; }
                    if (c == '[' && Pos >= 2 && _p[Pos - 2] == '-') { depth++; continue; }
                    if (c == ']' && --depth == 0) return;
                }
                throw new NotSupportedException();
            }

            private AtomInfo Group()
            {
                bool zeroWidth = false;
                if (More && Peek == '?')
                {
                    Pos++;
                    if (!More) throw new NotSupportedException();
                    char k = _p[Pos];
                    if (k == ':' || k == '>') Pos++;
                    else if (k == '=' || k == '!') { Pos++; zeroWidth = true; }
                    else if (k == '<' && Pos + 1 < _p.Length && (_p[Pos + 1] == '=' || _p[Pos + 1] == '!')) { Pos += 2; zeroWidth = true; }
                    else if (k == '<' || k == '\'')
                    {
                        int end = _p.IndexOf(k == '<' ? '>' : '\'', Pos + 1);
                        if (end < 0) throw new NotSupportedException();
                        Pos = end + 1;
                    }
                    else if (k == '#')
                    {
                        int end = _p.IndexOf(')', Pos);
                        if (end < 0) throw new NotSupportedException();
                        Pos = end + 1;
                        return new AtomInfo { Kind = AtomKind.ZeroWidth };
                    }
                    else
                    {
                        // Inline options (?i) (?-i:...): case makes no difference to folded literals,
                        // but x changes what the pattern's spaces mean.
                        int start = Pos;
                        while (More && (char.IsLetter(Peek) || Peek == '-')) Pos++;
                        string flags = _p.Substring(start, Pos - start);
                        if (flags.Length == 0 || flags.Any(f => "imnsx-".IndexOf(f) < 0) || flags.Contains('x') || !More) throw new NotSupportedException();
                        if (Peek == ')')
                        {
                            Pos++;
                            return new AtomInfo { Kind = AtomKind.ZeroWidth };
                        }
                        if (Peek != ':') throw new NotSupportedException();
                        Pos++;
                    }
                }
                var set = Alternation();
                if (!More || Peek != ')') throw new NotSupportedException();
                Pos++;
                return zeroWidth ? new AtomInfo { Kind = AtomKind.ZeroWidth } : new AtomInfo { Kind = AtomKind.Group, Set = set };
            }

            /// <summary>Reads a quantifier after an atom. min: fewest repeats; single: exactly one.</summary>
            private void Quantifier(out int min, out bool single)
            {
                min = 1;
                single = true;
                if (!More) return;
                char c = Peek;
                if (c == '*' || c == '+' || c == '?')
                {
                    Pos++;
                    min = c == '+' ? 1 : 0;
                    single = false;
                }
                else if (c == '{')
                {
                    int close = _p.IndexOf('}', Pos);
                    if (close < 0) return;
                    string body = _p.Substring(Pos + 1, close - Pos - 1);
                    string[] bounds = body.Split(',');
                    // "{" that is not a quantifier is a literal brace in .NET.
                    if (bounds.Length > 2 || bounds[0].Length == 0 || !bounds.All(b => b.All(char.IsDigit))) return;
                    Pos = close + 1;
                    min = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
                    single = bounds.Length == 1 && min == 1;
                }
                else return;
                // Lazy (and possessive-looking) suffix.
                if (More && Peek == '?') Pos++;
                if (More && (Peek == '*' || Peek == '+' || Peek == '{')) throw new NotSupportedException();
            }
        }
    }
}
