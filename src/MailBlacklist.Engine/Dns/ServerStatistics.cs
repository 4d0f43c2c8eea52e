namespace MailBlacklist.Engine.Dns
{
    /// <summary>What the UDP client learned about one server during a command: for an
    /// administrator choosing -ThrottleLimit or -TimeoutSec (shown with -Verbose).</summary>
    public sealed class ServerStatistics
    {
        internal ServerStatistics(string server, int window, int largestWindow, double srttSeconds, double rtoSeconds,
            long sent, long answered, long lost, long retransmitted, long unanswered)
        {
            Server = server;
            Window = window;
            LargestWindow = largestWindow;
            SrttMs = Math.Round(srttSeconds * 1000, 2);
            RtoMs = Math.Round(rtoSeconds * 1000, 1);
            Sent = sent;
            Answered = answered;
            Lost = lost;
            Retransmitted = retransmitted;
            Unanswered = unanswered;
        }

        /// <summary>host:port.</summary>
        public string Server { get; }
        /// <summary>The congestion window at the end (queries allowed on the wire at once).</summary>
        public int Window { get; }
        /// <summary>The most queries that were on the wire at once.</summary>
        public int LargestWindow { get; }
        /// <summary>Smoothed round-trip time; 0 when no answer came.</summary>
        public double SrttMs { get; }
        /// <summary>The retransmission timeout at the end.</summary>
        public double RtoMs { get; }
        /// <summary>Queries sent (first transmissions).</summary>
        public long Sent { get; }
        public long Answered { get; }
        /// <summary>Retransmission timers that fired for a query in the window (taken as loss).</summary>
        public long Lost { get; }
        public long Retransmitted { get; }
        /// <summary>Queries this server never answered (they timed out, or moved to the next server).</summary>
        public long Unanswered { get; }
    }
}
