using System;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>How the bounce reader's fixed patterns are built: once per process (static fields),
    /// compiled to IL because every message runs them, and with a time limit so that a pathological
    /// message ends in a parse error for that file instead of a hung pipeline.</summary>
    internal static class Patterns
    {
        /// <summary>Generous: these patterns scan whole message bodies (up to 10 MB) on a busy machine.</summary>
        internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

        internal static Regex Make(string pattern, RegexOptions options) =>
            new Regex(pattern, options | RegexOptions.Compiled, Timeout);
    }
}
