using System.Diagnostics;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>Pacing, as TCP pacing does it: new queries leave at about window / SRTT per second in
    /// bursts of at most <see cref="MaxBurst"/>, not all at once when a batch of answers opens the
    /// window. A server behind a delaying front (dnsdist, a long path) gets answers back in batches,
    /// and the batch of queries they would release overflows a plain server's socket buffer (about
    /// 118 for rbldnsd) and is lost. Used under the server link's lock.</summary>
    internal sealed class SendPacer
    {
        private const int MaxBurst = 48;
        private double _tokens = MaxBurst;
        private long _stamp = Stopwatch.GetTimestamp();

        public bool CanSend => _tokens >= 1;

        public void Took() => _tokens -= 1;

        /// <summary>Adds the sends earned since the last call: window / SRTT per second times 2 in slow
        /// start and 1.25 after it (Linux paces TCP at 2 and 1.2), so pacing never holds the window
        /// below what the path carries; at 1.25 in slow start the window would grow by a quarter
        /// per round trip instead of doubling.</summary>
        public void Refill(long now, CongestionWindow window)
        {
            double srtt = window.Srtt;
            double elapsed = (double)(now - _stamp) / Stopwatch.Frequency;
            _stamp = now;
            if (srtt <= 0) { _tokens = MaxBurst; return; }
            double ratio = window.InSlowStart ? 2.0 : 1.25;
            _tokens = Math.Min(MaxBurst, _tokens + elapsed * ratio * window.Window / srtt);
        }
    }
}
