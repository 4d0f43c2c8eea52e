using MailBlacklist.Engine.Bounces;

namespace MailBlacklist.Commands
{
    /// <summary>Reads bounces (files, mbox files, Maildir folders or pasted text) and writes one
    /// BounceReason per failed recipient, in input order. Files are parsed on worker threads (at most
    /// one per processor) and written on the pipeline thread as soon as each one's turn comes.</summary>
    [Cmdlet(VerbsCommon.Get, "BounceReason", DefaultParameterSetName = BounceFiles.PathSet)]
    [OutputType(typeof(BounceReason))]
    public sealed class GetBounceReasonCommand : OrderedAsyncCmdlet<ParsedFile>
    {
        private const string MessageSet = "Message";

        [Parameter(ParameterSetName = BounceFiles.PathSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        public string[] Path { get; set; }

        [Parameter(ParameterSetName = BounceFiles.LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        public string[] LiteralPath { get; set; }

        // $null, '' and @() bind, so that each gets the module's own localized EmptyInput error and
        // the other members of the array go on, rather than a binding error that ends the command.
        [Parameter(ParameterSetName = MessageSet, Mandatory = true, ValueFromPipeline = true)]
        [AllowEmptyString, AllowNull, AllowEmptyCollection]
        public string[] Message { get; set; }

        private BounceParser _parser;
        // Parsing is CPU work: more workers than processors only queue behind each other.
        private readonly TaskScheduler _workers = WorkerThreads.Shared;

        // Every worker busy, and one more file ready behind each.
        protected override int Concurrency => 2 * Environment.ProcessorCount;

        protected override string FailureErrorId => "ParseFailed";

        protected override void BeginProcessing()
        {
            _parser = new BounceParser();
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == MessageSet)
            {
                foreach (string text in Message ?? new string[] { null })
                {
                    ThrowIfStopping();
                    try { foreach (var r in _parser.ParseText(text, Culture)) WriteObject(r); }
                    catch (BounceInputException ex) { WriteInputError(ex.ErrorId, Category(ex.ErrorId), text, ex.MessageKey, ex.Arguments); }
                    catch (Exception ex) when (IsParseFailure(ex))
                    {
                        WriteInputError("ParseFailed", ErrorCategory.InvalidData, text, "Error_ParseFailed", "-Message", ex.Message);
                    }
                }
                return;
            }

            bool literal = ParameterSetName == BounceFiles.LiteralPathSet;
            // A path that resolves to nothing is reported in its place among the files (Reject), not
            // ahead of the files before it that are still being read.
            foreach (string file in BounceFiles.Resolve(this, literal ? LiteralPath : Path, literal, Reject))
            {
                ThrowIfStopping();
                var parser = _parser;
                var culture = Culture;
                // Ctrl+C cancels the token: files not started are dropped, the few being parsed
                // finish on their own and are not written.
                Start(file, Task.Factory.StartNew(() => ParsedFile.Read(parser, file, culture), CancelToken, TaskCreationOptions.None, _workers));
            }
        }

        protected override void EndProcessing() => Finish();

        protected override void WriteResult(object file, ParsedFile parsed)
        {
            if (parsed.Results != null)
            {
                foreach (var r in parsed.Results) WriteObject(r);
                return;
            }
            WriteInputError(parsed.ErrorId, parsed.Category, file, parsed.MessageKey, parsed.Arguments ?? new object[0]);
        }

        /// <summary>A message that trips the parser must not end the pipeline: the next file may be fine.
        /// Ctrl+C and PowerShell's own flow-control exceptions still pass through.</summary>
        private static bool IsParseFailure(Exception ex) =>
            !(ex is PipelineStoppedException || ex is FlowControlException || ex is OutOfMemoryException || ex is StackOverflowException);

        private static ErrorCategory Category(string errorId)
        {
            switch (errorId)
            {
                case "InputTooLarge": return ErrorCategory.LimitsExceeded;
                case "EmptyInput": return ErrorCategory.InvalidData;
                default: return ErrorCategory.InvalidData;
            }
        }
    }
}
