using System.Globalization;
using MailBlacklist.Engine;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist
{
    /// <summary>Shared plumbing of the module's cmdlets: the user's culture, Ctrl+C, localized
    /// errors and warnings. Every Write* call stays on the pipeline thread.</summary>
    public abstract class MailBlacklistCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>Captured on the pipeline thread: workers do not carry the host's culture.</summary>
        protected CultureInfo Culture { get; } = CultureInfo.CurrentUICulture;

        protected CancellationToken CancelToken => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>Cancels every task of the command (on Stop, and when the command is disposed).</summary>
        protected void CancelPending()
        {
            try { _stop.Cancel(); } catch (ObjectDisposedException) { }
        }

        /// <summary>A localized message. Its arguments (inputs, file names, exception texts) are
        /// neutralized here, so that no message of the module shows them raw.</summary>
        protected string L(string key, params object[] args) =>
            args.Length == 0 ? Messages.Get(key, Culture) : Messages.Format(key, Culture, Array.ConvertAll(args, a => a is string s ? SafeText.Neutralize(s) : a));

        // Every record leaves through these: one place applies SafeText to all that is shown, so a
        // string no caller thought of (a new property, an exception text) cannot pass raw.

        protected new void WriteObject(object item) => base.WriteObject(SafeObject.Clean(item));

        protected new void WriteObject(object item, bool enumerateCollection)
        {
            if (enumerateCollection && item is System.Collections.IEnumerable many && !(item is string))
                foreach (object one in many) SafeObject.Clean(one);
            else
                SafeObject.Clean(item);
            base.WriteObject(item, enumerateCollection);
        }

        protected new void WriteWarning(string text) => base.WriteWarning(SafeText.Neutralize(text, int.MaxValue));

        protected new void WriteVerbose(string text) => base.WriteVerbose(SafeText.Neutralize(text, int.MaxValue));

        protected new void WriteProgress(ProgressRecord record)
        {
            record.Activity = SafeText.Neutralize(record.Activity, int.MaxValue);
            record.StatusDescription = SafeText.Neutralize(record.StatusDescription, int.MaxValue);
            if (record.CurrentOperation != null) record.CurrentOperation = SafeText.Neutralize(record.CurrentOperation, int.MaxValue);
            base.WriteProgress(record);
        }

        /// <summary>The error as shown: its message (ErrorDetails, which PowerShell shows instead of
        /// the exception's) and target name neutralized. TargetObject stays the raw input, so a
        /// script can still act on the very file or value that failed.</summary>
        protected new void WriteError(ErrorRecord record) => base.WriteError(Safe(record));

        protected new void ThrowTerminatingError(ErrorRecord record) => base.ThrowTerminatingError(Safe(record));

        private static ErrorRecord Safe(ErrorRecord record)
        {
            string message = record.ErrorDetails?.Message ?? record.Exception?.Message;
            if (!SafeText.IsSafe(message)) record.ErrorDetails = new ErrorDetails(SafeText.Neutralize(message, int.MaxValue));
            if (!SafeText.IsSafe(record.CategoryInfo.TargetName)) record.CategoryInfo.TargetName = SafeText.Neutralize(record.CategoryInfo.TargetName);
            return record;
        }

        /// <summary>A non-terminating error about one input: stable English id, localized message.</summary>
        protected void WriteInputError(string errorId, ErrorCategory category, object target, string key, params object[] args) =>
            WriteError(new ErrorRecord(new ArgumentException(L(key, args)), errorId, category, target));

        protected void ThrowConfigurationError(string errorId, ErrorCategory category, object target, string key, params object[] args) =>
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(L(key, args)), errorId, category, target));

        /// <summary>The catalogue named by -CatalogPath, MAILBLACKLIST_CATALOG or the shipped one; one
        /// that cannot be read stops the command.</summary>
        protected Catalog LoadCatalog(string catalogPath)
        {
            string path = string.IsNullOrWhiteSpace(catalogPath) ? Catalog.DefaultPath() : GetUnresolvedProviderPathFromPSPath(catalogPath);
            try { return CatalogCache.Get(path); }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                ThrowConfigurationError("CatalogLoadFailed", ErrorCategory.ReadError, path, "Error_CatalogLoad", path, ex.Message);
                return null;
            }
        }

        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        /// <summary>Time since the command started.</summary>
        protected TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>Input shown in a message: never raw, it may hold control characters; and short.</summary>
        protected static string Shown(string value) =>
            SafeText.Neutralize(value == null ? string.Empty : value.Length > 200 ? value.Substring(0, 200) : value);

        /// <summary>Turns a cancelled wait into PowerShell's own "pipeline stopped".</summary>
        protected void ThrowIfStopping()
        {
            if (_stop.IsCancellationRequested) throw new PipelineStoppedException();
        }
    }
}
