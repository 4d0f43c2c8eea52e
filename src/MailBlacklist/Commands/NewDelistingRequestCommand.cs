using MailBlacklist.Engine.Requests;

namespace MailBlacklist.Commands
{
    /// <summary>Turns findings into the message to send: to the hosting company or ISP, to the
    /// receiver's postmaster, or to the sender's own team. Reads the whole pipeline first, because one
    /// message gathers every finding about the same sending address.</summary>
    [Cmdlet(VerbsCommon.New, "DelistingRequest")]
    [OutputType(typeof(DelistingRequest))]
    public sealed class NewDelistingRequestCommand : MailBlacklistCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        public PSObject[] InputObject { get; set; }

        [Parameter]
        [ValidateSet(RequestParties.Hosting, RequestParties.Receiver, RequestParties.Self)]
        public string To { get; set; }

        private DelistingRequestWriter _writer;

        protected override void BeginProcessing()
        {
            // The DQS key is the one secret this module handles; it never goes into a message.
            _writer = new DelistingRequestWriter(Culture, TimeZoneInfo.Local, DateTimeOffset.Now,
                new[] { Environment.GetEnvironmentVariable(DnsCmdlet.DqsKeyVariable) });
        }

        protected override void ProcessRecord()
        {
            foreach (var item in InputObject ?? new PSObject[0])
            {
                switch (item?.BaseObject)
                {
                    case DiagnosisFinding finding: _writer.Add(finding); break;
                    case BounceReason bounce: _writer.Add(bounce); break;
                    default:
                        string name = item?.BaseObject?.GetType().FullName ?? "null";
                        WriteInputError("UnsupportedInput", ErrorCategory.InvalidArgument, item, "Request_Error_Input", name);
                        break;
                }
            }
        }

        protected override void EndProcessing()
        {
            var parties = _writer.Parties;
            if (parties.Count == 0) { WriteWarning(L("Request_Warn_Nothing")); return; }
            string party = To ?? parties[0];
            if (!parties.Contains(party))
            {
                WriteWarning(L("Request_Warn_NoneFor", party, string.Join(", ", parties)));
                return;
            }
            if (To == null && parties.Count > 1)
                WriteWarning(L("Request_Warn_Others", string.Join(", ", parties.Where(p => p != party))));
            WriteObject(_writer.Write(party));
        }
    }
}
