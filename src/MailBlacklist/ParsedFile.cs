using System.Globalization;
using System.IO;
using MailBlacklist.Engine;
using MailBlacklist.Engine.Bounces;
using MailBlacklist.Engine.Dnsbl;
using MailBlacklist.Loader;

namespace MailBlacklist
{
    /// <summary>What reading one bounce file gave: its BounceReasons, or the one error to report for
    /// it. Built on a worker thread; written (objects or ErrorRecord) on the pipeline thread, in the
    /// file's place in the input order.</summary>
    public sealed class ParsedFile
    {
        public IReadOnlyList<BounceReason> Results { get; private set; }
        public string ErrorId { get; private set; }
        public ErrorCategory Category { get; private set; }
        public string MessageKey { get; private set; }
        public object[] Arguments { get; private set; }

        /// <param name="args">Shown in the message: file names and exception texts may hold control
        /// characters (an escape sequence in a name), so strings are neutralized here, once for every path.</param>
        private static ParsedFile Error(string errorId, ErrorCategory category, string key, params object[] args) =>
            new ParsedFile { ErrorId = errorId, Category = category, MessageKey = key, Arguments = Neutralized(args) };

        private static object[] Neutralized(object[] args)
        {
            if (args == null) return new object[0];
            var shown = new object[args.Length];
            for (int i = 0; i < args.Length; i++) shown[i] = args[i] is string text ? SafeText.Neutralize(text) : args[i];
            return shown;
        }

        /// <summary>Reads and parses one file. Never throws for bad input: a file that cannot be read
        /// or parsed becomes an error naming it, so the files after it still go on.</summary>
        internal static ParsedFile Read(BounceParser parser, string file, CultureInfo culture)
        {
            try
            {
                byte[] data = MailSource.ReadFile(file);
                var results = new List<BounceReason>();
                foreach (var r in parser.ParseFile(data, file, culture)) results.Add(r);
                return new ParsedFile { Results = results };
            }
            catch (BounceInputException ex)
            {
                return Error(ex.ErrorId, ex.ErrorId == "InputTooLarge" ? ErrorCategory.LimitsExceeded : ErrorCategory.InvalidData, ex.MessageKey, ex.Arguments);
            }
            catch (Exception ex) when (DependencyLoadException.From(ex) != null)
            {
                // The runtime could not load one of the module's assemblies (FileLoadException is an
                // IOException): a broken installation, not a bad file. Stop the command, naming it.
                throw DependencyLoadException.From(ex);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return Error("ReadFailed", ErrorCategory.ReadError, "Error_ReadFailed", file, ex.Message);
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException || ex is StackOverflowException))
            {
                // A message that trips the parser (or a pattern that ran out of time) must not end the
                // pipeline: the next file may be fine.
                return Error("ParseFailed", ErrorCategory.InvalidData, "Error_ParseFailed", file, ex.Message);
            }
        }
    }
}
