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

        /// <summary>The default -ThrottleLimit of every DNS cmdlet (documented in the help).</summary>
        public const int DefaultThrottleLimit = ResolverOptions.DefaultMaxInFlight;

        /// <summary>The ceiling of queries in flight for the whole command.</summary>
        [Parameter]
        [ValidateRange(1, 4096)]
        public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

        private ResolverStack _resolvers;

        protected QueryService Queries { get; private set; }

        /// <summary>The resolvers asked (the system's when -Server is not given).</summary>
        protected IReadOnlyList<IPEndPoint> ResolverEndpoints { get; private set; } = new IPEndPoint[0];

        /// <summary>Builds the command's query service; a -Server value that is no resolver stops the
        /// command, since nothing could be checked.</summary>
        protected QueryService OpenQueries(int maxQueriesPerSecond, bool useSessionCache)
        {
            try
            {
                _resolvers = ResolverFactory.Create(new ResolverOptions
                {
                    Servers = Server ?? new string[0],
                    Timeout = TimeSpan.FromSeconds(TimeoutSec),
                    Retries = Retry,
                    MaxInFlight = ThrottleLimit,
                });
            }
            catch (InvalidServerException ex)
            {
                ThrowConfigurationError("InvalidServer", ErrorCategory.InvalidArgument, ex.Server, "Error_InvalidServer", ex.Server);
            }
            ResolverEndpoints = _resolvers.Endpoints;
            Queries = new QueryService(_resolvers.Resolver, ThrottleLimit, maxQueriesPerSecond, useSessionCache ? AnswerCache.Session : null);
            WriteVerbose(L("Verbose_Resolver", _resolvers.Resolver.Description));
            return Queries;
        }

        /// <summary>Once per command, with -Verbose: what the UDP client learned about each server
        /// (final window, round-trip time, losses), for an administrator tuning -ThrottleLimit.</summary>
        protected void WriteServerStatistics()
        {
            if (_resolvers == null) return;
            foreach (var s in _resolvers.Statistics)
                WriteVerbose(L("Verbose_ServerStatistics", s.Server, s.Window, s.LargestWindow, s.SrttMs, s.RtoMs,
                    s.Sent, s.Answered, s.Lost, s.Retransmitted, s.Unanswered));
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
            _resolvers?.Dispose();
            _resolvers = null;
            Queries?.Dispose();
        }
    }
}
