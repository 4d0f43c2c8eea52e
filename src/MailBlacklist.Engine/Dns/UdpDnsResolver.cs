using System.Diagnostics;
using System.Net;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>A UDP client for the questions the module asks (A, AAAA, TXT, MX, PTR, NS, CNAME, SOA), built
    /// for many queries in flight without flooding the server it asks: per server a congestion
    /// window, retransmission on a timer from the measured round-trip time, and random source ports
    /// (see <see cref="ServerLink"/>). Servers are tried in order; one that falls silent is passed
    /// over after one retransmission timeout, while one query at a time probes it. A truncated answer goes to the
    /// fallback (DnsClient.NET, which retries over TCP). Failures are
    /// outcomes: a lost answer is a Timeout, never "no record".</summary>
    public sealed class UdpDnsResolver : ISelfPacedResolver, IDisposable
    {
        private readonly ServerLink[] _links;
        private readonly IDnsResolver _fallback;
        private readonly Thread _sweeper;
        private readonly ManualResetEventSlim _stop = new ManualResetEventSlim();
        private int _disposed;

        /// <param name="servers">Resolvers, in the order to try them; must not be empty.</param>
        /// <param name="budget">How long a query may wait for one server's answer, retransmissions included.</param>
        /// <param name="maxWindow">The most queries on the wire to one server (-ThrottleLimit).</param>
        /// <param name="fallback">Asks again what came back truncated (over TCP).</param>
        /// <param name="recursionDesired">False for questions to a zone's own servers.</param>
        internal UdpDnsResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan budget, int maxWindow, IDnsResolver fallback, bool recursionDesired = true)
        {
            if (servers == null || servers.Count == 0) throw new ArgumentException("At least one server is needed.", nameof(servers));
            _fallback = fallback;
            Description = fallback.Description;
            CacheKey = fallback.CacheKey;
            _links = servers.Select(s => new ServerLink(s, budget, maxWindow, recursionDesired)).ToArray();
            for (int i = 0; i < _links.Length - 1; i++) _links[i].HasFallback = true;
            // Timers: one sweep over the queries on the wire every 10 ms, not a timer each; on its
            // own thread, so that a busy thread pool cannot hold retransmissions back.
            _sweeper = new Thread(SweepLoop) { IsBackground = true, Name = "MailBlacklist DNS timers" };
            _sweeper.Start();
        }

        private const int SweepMs = 10;

        public string Description { get; }
        public string CacheKey { get; }

        /// <summary>Queries queued or on the wire right now.</summary>
        public int Pending => _links.Sum(c => c.PendingCount);

        /// <summary>Each server's congestion window now, in server order.</summary>
        public IReadOnlyList<int> Windows => _links.Select(c => c.Window).ToArray();

        /// <summary>Distinct source ports used so far, all servers together.</summary>
        public int SourcePortsUsed => _links.Sum(c => c.PortsUsed);

        /// <summary>What each server's congestion control learned so far, in server order.</summary>
        public IReadOnlyList<ServerStatistics> Statistics => _links.Select(c => c.Statistics).ToArray();

        /// <summary>Every record type the module asks for (a switch: Enum.IsDefined boxes, per query).</summary>
        public static bool Handles(DnsRecordType type)
        {
            switch (type)
            {
                case DnsRecordType.A: case DnsRecordType.Ns: case DnsRecordType.Cname: case DnsRecordType.Soa:
                case DnsRecordType.Ptr: case DnsRecordType.Mx: case DnsRecordType.Txt: case DnsRecordType.Aaaa:
                    return true;
                default:
                    return false;
            }
        }

        public async Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            if (!Handles(type)) return await _fallback.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            DnsAnswer last = null;
            foreach (var link in _links)
            {
                // A server that seems silent and is being probed: straight to the next one.
                if (link.Avoid) continue;
                var result = await link.AskAsync(name, type, start, cancellationToken).ConfigureAwait(false);
                switch (result.Outcome)
                {
                    case Attempt.Answered:
                        return result.Answer;
                    case Attempt.Truncated:
                        // Too big for 512 bytes: DnsClient asks again with EDNS and over TCP.
                        return await _fallback.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
                    case Attempt.BadName:
                        return DnsAnswer.Failed(DnsOutcome.OtherError, Elapsed(start), link.Server);
                    default:
                        // No answer from this one within its budget: the next resolver.
                        last = DnsAnswer.Failed(result.Outcome == Attempt.Unreachable ? DnsOutcome.Unreachable : DnsOutcome.Timeout, Elapsed(start), link.Server);
                        break;
                }
            }
            return last;
        }

        private static TimeSpan Elapsed(long start) =>
            TimeSpan.FromSeconds((double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency);

        private void SweepLoop()
        {
            long previous = Stopwatch.GetTimestamp();
            bool skipped = false;
            while (!_stop.Wait(SweepMs))
            {
                long now = Stopwatch.GetTimestamp();
                bool late = now - previous > Stopwatch.Frequency * SweepMs * 5 / 1000;
                previous = now;
                // A late sweep means this process was paused (a garbage collection, a busy machine):
                // answers may be waiting unread in the socket buffers, so give them one more tick.
                if (late && !skipped) { skipped = true; continue; }
                skipped = false;
                foreach (var link in _links) link.Sweep(now);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _stop.Set();
            foreach (var link in _links) link.Dispose();
        }
    }
}
