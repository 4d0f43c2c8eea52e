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

        [Parameter(ParameterSetName = MessageSet, Mandatory = true, ValueFromPipeline = true)]
        [AllowEmptyString]
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
            foreach (string input in (literal ? LiteralPath : Path) ?? new string[0])
            {
                var resolved = new List<string>();
                try
                {
                    if (literal)
                    {
                        string one = GetUnresolvedProviderPathFromPSPath(input);
                        if (File.Exists(one) || Directory.Exists(one)) resolved.Add(one);
                    }
                    else
                    {
                        resolved.AddRange(GetResolvedProviderPathFromPSPath(input, out ProviderInfo provider));
                        if (provider.Name != "FileSystem")
                        {
                            WriteInputError("NotAFileSystemPath", ErrorCategory.InvalidArgument, input, "Error_NotFileSystem", input);
                            continue;
                        }
                    }
                }
                catch (ItemNotFoundException) { }
                catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
                {
                    WriteInputError("InvalidPath", ErrorCategory.InvalidArgument, input, "Error_InvalidPath", input, ex.Message);
                    continue;
                }
                if (resolved.Count == 0)
                {
                    WriteInputError("PathNotFound", ErrorCategory.ObjectNotFound, input, "Error_PathNotFound", input);
                    continue;
                }
                foreach (string item in resolved)
                {
                    if (Directory.Exists(item))
                    {
                        // A folder of bounces or a Maildir (cur/ and new/): every message file in it.
                        foreach (string f in MailSource.FilesOf(item)) yield return f;
                    }
                    else yield return item;
                }
            }
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
        }

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
