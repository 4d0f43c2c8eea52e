using System.IO;
using MailBlacklist.Engine;
using MailBlacklist.Engine.Reports;

namespace MailBlacklist.Commands
{
    /// <summary>Results of Test-Dnsbl, Invoke-MailDeliveryDiagnosis and Get-BounceReason (live, or
    /// read back with Import-Csv) to one self-contained HTML file in the UI culture. The rows are
    /// small and the page needs them all (counts, changes), so they are collected and written at
    /// the end.</summary>
    [Cmdlet(VerbsData.Export, "MailDeliveryReport")]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportMailDeliveryReportCommand : MailBlacklistCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private readonly List<ReportItem> _items = new List<ReportItem>();
        private string _path;

        protected override void BeginProcessing()
        {
            _path = GetUnresolvedProviderPathFromPSPath(Path);
            string folder = System.IO.Path.GetDirectoryName(_path);
            // Found now, not after an hour of checks: a report that cannot be written stops the command.
            if (Directory.Exists(_path) || (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder)))
                ThrowTerminatingError(new ErrorRecord(new IOException(L("Report_Error_Write", SafeText.Neutralize(_path), L("Report_Error_NoFolder"))),
                    "ReportPathInvalid", ErrorCategory.WriteError, _path));
        }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            var item = ReportItemReader.Read(name => Property(InputObject, name), Culture);
            if (item == null)
            {
                string type = InputObject.BaseObject?.GetType().FullName ?? "null";
                WriteInputError("ReportInputNotSupported", ErrorCategory.InvalidType, InputObject, "Report_Error_UnknownInput", Shown(type));
                return;
            }
            _items.Add(item);
        }

        protected override void EndProcessing()
        {
            try
            {
                new HtmlReport(_items, Culture, DateTime.UtcNow).Write(_path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(new IOException(L("Report_Error_Write", SafeText.Neutralize(_path), ex.Message), ex),
                    "ReportWriteFailed", ErrorCategory.WriteError, _path));
            }
            if (PassThru) WriteObject(new FileInfo(_path));
        }

        /// <summary>A property's text, "" for a null value, null when the object has no such property.</summary>
        private static string Property(PSObject o, string name)
        {
            var p = o.Properties[name];
            if (p == null) return null;
            object value;
            try { value = p.Value; }
            catch (GetValueException) { return string.Empty; }
            return value == null ? string.Empty : LanguagePrimitives.ConvertTo<string>(value);
        }
    }
}
