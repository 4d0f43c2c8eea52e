namespace MailBlacklist.Engine.Dns
{
    /// <summary>How many queries one server gets at once, adapted the way TCP adapts its window: slow
    /// start, then additive increase while answers come back; multiplicative decrease on congestion,
    /// seen as loss or as queueing delay (TCP Vegas' estimate of our queries waiting in queues:
    /// window x (1 - minimum RTT / this round's RTT)). A slow server that answers everything shows
    /// no queueing, so it is not throttled; a plain rbldnsd, whose socket buffer holds about 118
    /// queries, shows the queue before it overflows. Not thread-safe: the owner holds its lock.</summary>
    internal sealed class CongestionWindow
    {
        /// <summary>RFC 6928 lets TCP start with 10 segments (about 14 KB); 32 queries are about
        /// 1.6 KB, a quarter of what a plain rbldnsd's socket buffer holds (about 118).</summary>
        public const int InitialWindow = 32;
        public const int MinimumWindow = 4;
        /// <summary>Our queries allowed to wait in queues (the server's socket buffer, ours) before
        /// the window stops growing, and the level above which it shrinks. Well below the ~118
        /// queries a default 64 KiB socket buffer holds, and enough to keep any server busy.</summary>
        private const double QueueLow = 24, QueueHigh = 48;
        /// <summary>Queueing counts only when the round's RTT is also well above the minimum (twice
        /// it): jitter, or a busy machine adding tens of milliseconds to a 50 ms path, is not
        /// congestion of the server; on loopback a few queued queries already double the RTT.</summary>
        private const double DelayRatio = 2.0;
        /// <summary>Loss with no queueing behind it is noise (a lossy link, a name the server never
        /// answers) up to this share of a round; above it, it is congestion (rate limits, overflow).</summary>
        private const double NoiseLoss = 0.1;
        private const double LossFactor = 0.5, DelayFactor = 0.8;

        /// <summary>RFC 6298 bounds: the minimum leaves room for a garbage collection or a busy
        /// 2-core machine without spurious retransmissions; the initial value applies before any RTT
        /// is measured.</summary>
        public static readonly TimeSpan MinimumRto = TimeSpan.FromMilliseconds(100);
        public static readonly TimeSpan InitialRto = TimeSpan.FromMilliseconds(500);

        private readonly int _ceiling;
        private readonly double _increase;
        private double _window = InitialWindow, _threshold;
        private double _srtt, _rttvar, _baseRtt = double.MaxValue, _roundMinRtt = double.MaxValue;
        private int _roundAnswered, _roundLost, _roundSize;
        private bool _queueLow = true;

        /// <param name="ceiling">-ThrottleLimit: the window never grows beyond it.</param>
        public CongestionWindow(int ceiling)
        {
            _ceiling = Math.Max(1, ceiling);
            _threshold = _ceiling;
            _window = Math.Min(InitialWindow, _ceiling);
            _roundSize = (int)_window;
            // Additive increase scaled to the ceiling, so that a large window on a long path comes
            // back within tens of round trips after a decrease, not hundreds.
            _increase = Math.Max(1, _ceiling / 64.0);
        }

        /// <summary>Queries allowed on the wire now.</summary>
        public int Window => (int)Math.Max(Math.Min(MinimumWindow, _ceiling), Math.Min(_ceiling, _window));

        /// <summary>Time to wait for an answer before sending again (SRTT + 4 RTTVAR).</summary>
        public TimeSpan Rto
        {
            get
            {
                if (_srtt == 0) return InitialRto;
                double seconds = Math.Max(MinimumRto.TotalSeconds, _srtt + 4 * _rttvar);
                return TimeSpan.FromSeconds(Math.Min(seconds, 60));
            }
        }

        /// <summary>Still doubling the window each round trip (below the slow-start threshold, no
        /// queueing seen).</summary>
        public bool InSlowStart => _queueLow && _window < _threshold && _window < _ceiling;

        /// <summary>Smoothed round-trip time in seconds (0 before the first sample).</summary>
        public double Srtt => _srtt;

        /// <summary>Smallest round-trip time seen, in seconds (0 before the first sample).</summary>
        public double BaseRtt => _baseRtt == double.MaxValue ? 0 : _baseRtt;

        /// <summary>An answer came. <paramref name="rttSeconds"/> is negative when the query was sent
        /// more than once (Karn: then the sample is ambiguous).</summary>
        public void OnAnswer(double rttSeconds)
        {
            if (rttSeconds >= 0)
            {
                if (_srtt == 0) { _srtt = rttSeconds; _rttvar = rttSeconds / 2; }
                else
                {
                    _rttvar = 0.75 * _rttvar + 0.25 * Math.Abs(_srtt - rttSeconds);
                    _srtt = 0.875 * _srtt + 0.125 * rttSeconds;
                }
                if (rttSeconds < _baseRtt) _baseRtt = rttSeconds;
                if (rttSeconds < _roundMinRtt) _roundMinRtt = rttSeconds;
            }
            _roundAnswered++;
            if (_queueLow)
            {
                // Slow start doubles the window per round trip; then one increase per round trip.
                if (_window < _threshold) _window += 1;
                else _window += _increase / _window;
                if (_window > _ceiling) _window = _ceiling;
            }
            EndRoundIfDue();
        }

        /// <summary>A query's retransmission timer fired: its packet or its answer is taken as lost.</summary>
        public void OnLoss()
        {
            _roundLost++;
            EndRoundIfDue();
        }

        // A round is one window's worth of answers and losses: about one round trip.
        private void EndRoundIfDue()
        {
            if (_roundAnswered + _roundLost < _roundSize) return;
            double queued = 0;
            bool delayed = false;
            if (_roundMinRtt != double.MaxValue && _baseRtt > 0)
            {
                queued = _window * (1 - _baseRtt / _roundMinRtt);
                delayed = _roundMinRtt > DelayRatio * _baseRtt;
            }
            double lossShare = (double)_roundLost / (_roundAnswered + _roundLost);
            if (_roundLost > 0 && ((delayed && queued > QueueLow) || lossShare > NoiseLoss))
                Decrease(LossFactor);
            else if (delayed && queued > QueueHigh)
                Decrease(DelayFactor);
            _queueLow = !(delayed && queued > QueueLow);
            _roundAnswered = _roundLost = 0;
            _roundMinRtt = double.MaxValue;
            _roundSize = Math.Max(1, Window);
        }

        private void Decrease(double factor)
        {
            _window = Math.Max(MinimumWindow, _window * factor);
            _threshold = _window;
        }
    }
}
