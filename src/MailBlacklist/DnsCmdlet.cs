using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist
{
    /// <summary>The resolver parameters every DNS-using cmdlet shares (-Server, -TimeoutSec, -Retry,
    /// -ThrottleLimit) and the one way they become a <see cref="QueryService"/>.</summary>
    public abstract class DnsCmdlet : MailBlacklistCmdlet, IDisposable
    {
        public const string DqsKeyVariable = "MAILBLACKLIST_DQS_KEY";

        [Parameter]
        public string[] Server { get; set; }

        [Parameter]
        [ValidateRange(0.1, 60.0)]
        public double TimeoutSec { get; set; } = 3;

        [Parameter]
        [ValidateRange(0, 10)]
        public int Retry { get; set; } = 1;

        /// <summary>Queries in flight for the whole command; subclasses set their own default.</summary>
        [Parameter]
        [ValidateRange(1, 4096)]
        public int ThrottleLimit { get; set; } = 64;

        private UdpDnsResolver _udp;

        protected QueryService Queries { get; private set; }

        /// <summary>The resolvers asked (the system's when -Server is not given).</summary>
        protected IReadOnlyList<IPEndPoint> ResolverEndpoints { get; private set; } = new IPEndPoint[0];

        /// <summary>Builds the command's query service; a -Server value that is no resolver stops the
        /// command, since nothing could be checked.</summary>
        protected QueryService OpenQueries(int maxQueriesPerSecond, bool useSessionCache)
        {
            var endpoints = new List<IPEndPoint>();
            foreach (string server in Server ?? new string[0])
            {
                try { endpoints.AddRange(ServerEndpoint.Parse(server)); }
                catch (Exception ex) when (ex is FormatException || ex is System.Net.Sockets.SocketException || ex is ArgumentException)
                {
                    ThrowConfigurationError("InvalidServer", ErrorCategory.InvalidArgument, server, "Error_InvalidServer", server);
                }
            }
            var timeout = TimeSpan.FromSeconds(TimeoutSec);
            var dnsClient = new DnsClientResolver(endpoints, timeout, Retry);
            ResolverEndpoints = dnsClient.Servers;
            // A, AAAA, TXT and SOA questions go through the module's own UDP client, built for many
            // queries in flight; DnsClient.NET stays behind it for TCP and the other record types.
            IDnsResolver resolver = dnsClient;
            if (dnsClient.Servers.Count > 0) resolver = _udp = new UdpDnsResolver(dnsClient.Servers, timeout, Retry, dnsClient);
            Queries = new QueryService(resolver, ThrottleLimit, maxQueriesPerSecond, useSessionCache ? AnswerCache.Session : null);
            WriteVerbose(L("Verbose_Resolver", resolver.Description));
            return Queries;
        }

        /// <summary>The Spamhaus DQS key from the parameter or the environment, checked; never shown.</summary>
        protected string ReadDqsKey(string given)
        {
            string key = !string.IsNullOrEmpty(given) ? given : Environment.GetEnvironmentVariable(DqsKeyVariable);
            if (!string.IsNullOrEmpty(key) && !ZoneTarget.IsValidDqsKey(key))
                ThrowConfigurationError("InvalidDqsKey", ErrorCategory.InvalidArgument, null, "Error_InvalidDqsKey");
            return key;
        }

        /// <summary>Also called by PowerShell when the command is stopped: cancels what is still
        /// pending and closes the sockets, so no task outlives the command.</summary>
        public virtual void Dispose()
        {
            CancelPending();
            _udp?.Dispose();
            _udp = null;
            Queries?.Dispose();
        }
    }
}
