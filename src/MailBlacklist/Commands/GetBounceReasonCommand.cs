using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using MailBlacklist.Engine.Bounces;

namespace MailBlacklist.Commands
{
    /// <summary>Reads bounces (files, mbox files, Maildir folders or pasted text) and writes one
    /// BounceReason per failed recipient, in input order, as soon as each message is read.</summary>
    [Cmdlet(VerbsCommon.Get, "BounceReason", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(BounceReason))]
    public sealed class GetBounceReasonCommand : MailBlacklistCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string MessageSet = "Message";

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        public string[] Path { get; set; }

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        public string[] LiteralPath { get; set; }

        // $null, '' and @() bind, so that each gets the module's own localized EmptyInput error and
        // the other members of the array go on, rather than a binding error that ends the command.
        [Parameter(ParameterSetName = MessageSet, Mandatory = true, ValueFromPipeline = true)]
        [AllowEmptyString, AllowNull, AllowEmptyCollection]
        public string[] Message { get; set; }

        private BounceParser _parser;

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

            foreach (string file in ResolveFiles())
            {
                ThrowIfStopping();
                ReadFile(file);
            }
        }

        private IEnumerable<string> ResolveFiles()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            return BounceFiles.Resolve(this, literal ? LiteralPath : Path, literal, WriteInputError);
        }

        private void ReadFile(string file)
        {
            try
            {
                byte[] data = MailSource.ReadFile(file);
                foreach (var r in _parser.ParseFile(data, file, Culture)) WriteObject(r);
            }
            catch (BounceInputException ex)
            {
                WriteInputError(ex.ErrorId, Category(ex.ErrorId), file, ex.MessageKey, ex.Arguments);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteInputError("ReadFailed", ErrorCategory.ReadError, file, "Error_ReadFailed", file, ex.Message);
            }
            catch (Exception ex) when (IsParseFailure(ex))
            {
                WriteInputError("ParseFailed", ErrorCategory.InvalidData, file, "Error_ParseFailed", file, ex.Message);
            }
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
