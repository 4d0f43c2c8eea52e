using System.Net;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist
{
    /// <summary>What the DNS cmdlets share beyond one command: names and defaults.</summary>
    public static class DnsCmdlet
    {
        public const string DqsKeyVariable = "MAILBLACKLIST_DQS_KEY";

        /// <summary>The default -ThrottleLimit of every DNS cmdlet (documented in the help): the
        /// engine's one default ceiling, since the UDP client paces itself below it.</summary>
        public const int DefaultThrottleLimit = ResolverOptions.DefaultMaxInFlight;
    }

    /// <summary>The resolver parameters every DNS-using cmdlet shares (-Server, -TimeoutSec, -Retry,
    /// -ThrottleLimit) and the one way they become a <see cref="QueryService"/>. -ThrottleLimit is
    /// also what sizes the input window.</summary>
    public abstract class DnsCmdlet<TResult> : OrderedAsyncCmdlet<TResult>, IDisposable
    {

        [Parameter]
        public string[] Server { get; set; }

        [Parameter]
        [ValidateRange(0.1, 60.0)]
        public double TimeoutSec { get; set; } = 3;

        [Parameter]
        [ValidateRange(0, 10)]
        public int Retry { get; set; } = 1;

        /// <summary>The ceiling of queries in flight for the whole command.</summary>
        [Parameter]
        [ValidateRange(1, 4096)]
        public int ThrottleLimit { get; set; } = DnsCmdlet.DefaultThrottleLimit;

        protected override int Concurrency => ThrottleLimit;

        private ResolverStack _resolvers;
        private ResolverOptions _options;
        private AuthoritativeFallback _fallback;

        protected QueryService Queries { get; private set; }

        /// <summary>The resolvers asked (the system's when -Server is not given).</summary>
        protected IReadOnlyList<IPEndPoint> ResolverEndpoints { get; private set; } = new IPEndPoint[0];

        /// <summary>Builds the command's query service; a -Server value that is no resolver stops the
        /// command, since nothing could be checked.</summary>
        protected QueryService OpenQueries(int maxQueriesPerSecond, bool useSessionCache)
        {
            try
            {
                _options = new ResolverOptions
                {
                    Servers = Server ?? new string[0],
                    Timeout = TimeSpan.FromSeconds(TimeoutSec),
                    Retries = Retry,
                    MaxInFlight = ThrottleLimit,
                };
                _resolvers = ResolverFactory.Create(_options);
            }
            catch (InvalidServerException ex)
            {
                ThrowConfigurationError("InvalidServer", ErrorCategory.InvalidArgument, ex.Server, "Error_InvalidServer", ex.Server);
            }
            catch (NoSystemResolverException)
            {
                ThrowConfigurationError("NoSystemResolver", ErrorCategory.ResourceUnavailable, null, "Error_NoSystemResolver");
            }
            ResolverEndpoints = _resolvers.Endpoints;
            Queries = new QueryService(_resolvers.Resolver, ThrottleLimit, maxQueriesPerSecond, useSessionCache ? AnswerCache.Session : null);
            WriteVerbose(L("Verbose_Resolver", _resolvers.Resolver.Description));
            return Queries;
        }

        /// <summary>Once per command, with -Verbose: the queries sent, and what the UDP client learned
        /// about each server (final window, round-trip time, losses), for an administrator tuning
        /// -ThrottleLimit.</summary>
        protected void WriteQueryStatistics()
        {
            if (_resolvers == null) return;
            WriteVerbose(L("Verbose_Queries", Queries.QueriesSent, Queries.TxtQueriesSent, Queries.CacheHits, Elapsed.TotalSeconds));
            foreach (var s in _resolvers.Statistics)
                WriteVerbose(L("Verbose_ServerStatistics", s.Server, s.Window, s.LargestWindow, s.SrttMs, s.RtoMs,
                    s.Sent, s.Answered, s.Lost, s.Retransmitted, s.Unanswered));
        }

        /// <summary>Asking a list's own name servers when it refuses the resolver (after
        /// <see cref="OpenQueries"/>), with the same timeout, retries and ceiling.</summary>
        protected DirectQueries OpenDirect(int maxQueriesPerSecond, bool useSessionCache)
        {
            _fallback = new AuthoritativeFallback(Queries, _options, maxQueriesPerSecond, useSessionCache ? AnswerCache.Session : null);
            return new DirectQueries(_fallback, Culture);
        }

        /// <summary>One warning for the lists asked directly: which, why, and the better fixes.</summary>
        protected void WarnDirect(DirectQueries direct)
        {
            if (direct == null || direct.Asked.Count == 0) return;
            string lists = string.Join(", ", direct.Asked.Select(p => p.Key + " (" + p.Value + ")"));
            string resolvers = string.Join(", ", ResolverEndpoints.Select(ServerEndpoint.Format));
            WriteWarning(L("Warning_DirectQueries", resolvers, lists));
        }

        /// <summary>The Spamhaus DQS key from the parameter (a SecureString, from a vault or from
        /// plain text) or the environment, checked; never shown.</summary>
        protected string ReadDqsKey(System.Security.SecureString given)
        {
            string plain = given == null || given.Length == 0 ? null : new NetworkCredential(string.Empty, given).Password;
            string key = !string.IsNullOrEmpty(plain) ? plain : Environment.GetEnvironmentVariable(DnsCmdlet.DqsKeyVariable);
            if (!string.IsNullOrEmpty(key) && !ZoneTarget.IsValidDqsKey(key))
                ThrowConfigurationError("InvalidDqsKey", ErrorCategory.InvalidArgument, null, "Error_InvalidDqsKey");
            return key;
        }

        /// <summary>Also called by PowerShell when the command is stopped: cancels what is still
        /// pending and closes the sockets, so no task outlives the command.</summary>
        public virtual void Dispose()
        {
            CancelPending();
            _fallback?.Dispose();
            _fallback = null;
            _resolvers?.Dispose();
            _resolvers = null;
            Queries?.Dispose();
        }
    }
}
