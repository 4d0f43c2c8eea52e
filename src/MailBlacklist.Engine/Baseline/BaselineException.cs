namespace MailBlacklist.Engine.Baseline
{
    /// <summary>Why a baseline cannot be compared with. The cmdlet turns it into a localized error
    /// that names the file; the run goes on without comparison.</summary>
    public enum BaselineProblem { Empty, Damaged, OtherCommand }

    public sealed class BaselineException : Exception
    {
        public BaselineProblem Problem { get; }
        /// <summary>The line of the damage (Damaged).</summary>
        public int Line { get; }
        /// <summary>Damaged: what was wrong, untranslated ("\"", "3 / 14", a value). OtherCommand:
        /// the command the file seems to come from, or null.</summary>
        public string Detail { get; }

        public BaselineException(BaselineProblem problem, int line, string detail)
            : base(problem + " at line " + line + (detail == null ? string.Empty : ": " + detail))
        {
            Problem = problem;
            Line = line;
            Detail = detail;
        }
    }
}
