using System.IO;
using MailBlacklist.Engine;
using MailBlacklist.Engine.Bounces;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist
{
    /// <summary>-Path / -LiteralPath to bounce files (folders and Maildirs expanded), and reading them
    /// into BounceReason objects, for the cmdlets that take bounces besides Get-BounceReason.</summary>
    internal static class BounceFiles
    {
        /// <summary>The parameter sets of files by -Path and by -LiteralPath, one spelling for every cmdlet.</summary>
        public const string PathSet = "Path";
        public const string LiteralPathSet = "LiteralPath";

        public delegate void ErrorSink(string errorId, ErrorCategory category, object target, string key, params object[] args);

        public static IEnumerable<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> inputs, bool literal, ErrorSink error)
        {
            foreach (string input in inputs ?? new string[0])
            {
                var resolved = new List<string>();
                bool isFile = false;
                try
                {
                    if (literal)
                    {
                        string one = FileSystemPath(input) ?? cmdlet.GetUnresolvedProviderPathFromPSPath(input);
                        isFile = File.Exists(one);
                        if (isFile || Directory.Exists(one)) resolved.Add(one);
                    }
                    else
                    {
                        resolved.AddRange(cmdlet.GetResolvedProviderPathFromPSPath(input, out ProviderInfo provider));
                        if (provider.Name != "FileSystem")
                        {
                            error("NotAFileSystemPath", ErrorCategory.InvalidArgument, input, "Error_NotFileSystem", SafeText.Neutralize(input));
                            continue;
                        }
                    }
                }
                catch (ItemNotFoundException) { }
                catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException
                    || ex is WildcardPatternException)
                {
                    error("InvalidPath", ErrorCategory.InvalidArgument, input, "Error_InvalidPath", SafeText.Neutralize(input), SafeText.Neutralize(ex.Message));
                    continue;
                }
                if (resolved.Count == 0)
                {
                    error("PathNotFound", ErrorCategory.ObjectNotFound, input, "Error_PathNotFound", SafeText.Neutralize(input));
                    continue;
                }
                foreach (string item in resolved)
                {
                    if (!isFile && Directory.Exists(item)) { foreach (string f in MailSource.FilesOf(item)) yield return f; }
                    else yield return item;
                }
            }
        }

        private const string FileSystemPrefix = @"Microsoft.PowerShell.Core\FileSystem::";

        /// <summary>The file system path in a provider-qualified PSPath, as Get-ChildItem's items carry
        /// ("Microsoft.PowerShell.Core\FileSystem::/mail/1.eml"), without asking the session to
        /// resolve it: that costs more than parsing a small bounce. Null for any other form
        /// (relative, drive-qualified, other providers, "." or ".." parts), which the session resolves.</summary>
        internal static string FileSystemPath(string input)
        {
            if (input == null || !input.StartsWith(FileSystemPrefix, StringComparison.OrdinalIgnoreCase)) return null;
            string path = input.Substring(FileSystemPrefix.Length);
            if (!System.IO.Path.IsPathRooted(path) || path.IndexOf("/.", StringComparison.Ordinal) >= 0 || path.IndexOf("\\.", StringComparison.Ordinal) >= 0) return null;
            // Windows: "C:\..." or "\\server\share"; elsewhere "/...".
            if (System.IO.Path.DirectorySeparatorChar == '\\' && !(path.Length >= 3 && path[1] == ':' || path.StartsWith(@"\\", StringComparison.Ordinal))) return null;
            return path;
        }

        /// <summary>The bounces of one file, grouped by message; null after an error was written.</summary>
        public static List<List<BounceReason>> Read(BounceParser parser, string file, System.Globalization.CultureInfo culture, ErrorSink error)
        {
            var parsed = ParsedFile.Read(parser, file, culture);
            if (parsed.Results == null)
            {
                error(parsed.ErrorId, parsed.Category, file, parsed.MessageKey, parsed.Arguments);
                return null;
            }
            var groups = new List<List<BounceReason>>();
            foreach (var r in parsed.Results)
            {
                if (groups.Count == 0 || groups[groups.Count - 1][0].MessageNumber != r.MessageNumber) groups.Add(new List<BounceReason>());
                groups[groups.Count - 1].Add(r);
            }
            return groups;
        }
    }
}
