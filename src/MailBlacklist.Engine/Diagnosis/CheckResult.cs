namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>One conclusion of a check in its own file (DkimCheck, ...), before the diagnosis turns
    /// it into a localized finding.</summary>
    internal sealed class CheckResult
    {
        public CheckResult(string target, DiagnosisSeverity severity, string cause, string evidence)
        {
            Target = target; Severity = severity; Cause = cause; Evidence = evidence;
        }
        public string Target { get; }
        public DiagnosisSeverity Severity { get; }
        public string Cause { get; }
        public string Evidence { get; }
    }
}
