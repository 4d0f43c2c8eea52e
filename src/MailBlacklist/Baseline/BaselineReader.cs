using System.Globalization;
using System.IO;
using MailBlacklist.Engine;
using MailBlacklist.Engine.Baseline;

namespace MailBlacklist.Baseline
{
    /// <summary>-Baseline of Test-Dnsbl and Invoke-MailDeliveryDiagnosis: reads last night's CSV.
    /// A missing file (the first night) is a warning; an empty, foreign or damaged one is an error
    /// that names the file. Either way the command runs on without comparison (null).</summary>
    internal static class BaselineReader
    {
        public static T Read<T>(PSCmdlet cmdlet, string given, string command, Func<CsvTable, T> load, CultureInfo culture) where T : class
        {
            string path = cmdlet.GetUnresolvedProviderPathFromPSPath(given);
            string shown = SafeText.Neutralize(path);
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                cmdlet.WriteWarning(Messages.Format("Baseline_Warning_Missing", culture, shown));
                return null;
            }
            string errorId, message;
            try
            {
                return load(CsvTable.Read(path));
            }
            catch (BaselineException ex) when (ex.Problem == BaselineProblem.Empty)
            {
                (errorId, message) = ("BaselineEmpty", Messages.Format("Baseline_Error_Empty", culture, shown));
            }
            catch (BaselineException ex) when (ex.Problem == BaselineProblem.OtherCommand)
            {
                string columns = string.Join(", ", BaselineKind.ColumnsOf(command));
                (errorId, message) = ex.Detail != null
                    ? ("BaselineOtherCommand", Messages.Format("Baseline_Error_OtherCommand", culture, shown, command, ex.Detail))
                    : ("BaselineNotACommandCsv", Messages.Format("Baseline_Error_NotCommandCsv", culture, shown, command, columns));
            }
            catch (BaselineException ex)
            {
                (errorId, message) = ("BaselineDamaged", Messages.Format("Baseline_Error_Damaged", culture, shown, ex.Line, SafeText.Neutralize(ex.Detail)));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                (errorId, message) = ("BaselineUnreadable", Messages.Format("Baseline_Error_Unreadable", culture, shown, ex.Message));
            }
            var category = errorId == "BaselineUnreadable" ? ErrorCategory.ReadError : ErrorCategory.InvalidData;
            cmdlet.WriteError(new ErrorRecord(new InvalidDataException(message), errorId, category, path));
            return null;
        }
    }
}
