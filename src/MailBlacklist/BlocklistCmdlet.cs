using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist
{
    /// <summary>The parameters of the cmdlets that check blocklists (Test-Dnsbl and the diagnosis):
    /// which lists, from which catalogue, with which Spamhaus DQS key, and whether a list's own name
    /// servers may be asked.</summary>
    public abstract class BlocklistCmdlet<TResult> : DnsCmdlet<TResult>
    {
        [Parameter]
        [ArgumentCompleter(typeof(ZoneCompleter))]
        public string[] Zone { get; set; }

        [Parameter]
        [SecretTransformation]
        public System.Security.SecureString DqsKey { get; set; }

        [Parameter]
        public string CatalogPath { get; set; }

        /// <summary>Never ask a list's own name servers, even when it refuses the resolver.</summary>
        [Parameter]
        public SwitchParameter NoDirect { get; set; }

        /// <summary>The -Zone names no catalogue entry matched: an error each, and the command goes on
        /// with the others.</summary>
        protected void ReportUnmatchedZones(IEnumerable<string> unmatched)
        {
            foreach (string z in unmatched)
                WriteError(new ErrorRecord(new ArgumentException(L("Error_ZoneNotFound", Shown(z))), "ZoneNotFound", ErrorCategory.ObjectNotFound, z));
        }
    }
}
