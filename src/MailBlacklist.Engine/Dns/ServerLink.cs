using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>Everything the UDP client knows about one server: the queries waiting for the
    /// congestion window (FIFO), the ones on the wire, their retransmission timers, and a pool of
    /// sockets on random source ports that are replaced as they age (RFC 5452), read by one thread.
    /// One lock guards it all; sockets are written and tasks completed outside it.</summary>
    internal sealed partial class ServerLink : IDisposable
    {
        /// <summary>A server that has let this many queries run out their whole budget, and has
        /// answered nothing for at least that budget, is taken as silent (a firewall that drops
        /// everything sends no ICMP): one query at a time still probes it, the others fail at once
        /// as timeouts instead of each waiting out the budget behind a collapsed window.</summary>
        private const int SilentAfter = 8;

        private readonly object _lock = new object();
        private readonly IPEndPoint _server;
        private readonly long _budget;
        private readonly CongestionWindow _window;
        private readonly Queue<PendingQuery> _queue = new Queue<PendingQuery>();
        private readonly PortPool _pool;
        private int _inWindow, _waiting, _expiredSinceAnswer;
        private readonly SendPacer _pacer = new SendPacer();
        private long _lastAnswer = Stopwatch.GetTimestamp();
        private bool _closed;
        private readonly bool _recursionDesired;
        // A retransmission timer fired for a query sent after this server's last answer: it may
        // have gone silent. With a server after it to ask, that is enough to move on (see HasFallback).
        private volatile bool _suspect;
        private long _sent, _answered, _lost, _retransmitted, _timedOut;
        private int _largestWindow;

        /// <param name="budget">How long one query may wait for this server's answer, all
        /// retransmissions included.</param>
        /// <param name="ceiling">The most queries in the window (-ThrottleLimit).</param>
        /// <param name="recursionDesired">False for questions to a zone's own server (RD clear).</param>
        public ServerLink(IPEndPoint server, TimeSpan budget, int ceiling, bool recursionDesired = true)
        {
            _recursionDesired = recursionDesired;
            _server = server;
            Server = ServerEndpoint.Format(server);
            _budget = (long)(budget.TotalSeconds * Stopwatch.Frequency);
            _window = new CongestionWindow(ceiling);
            _pool = new PortPool(server, OnDatagram, OnUnreachable);
        }

        public string Server { get; }

        /// <summary>Another server follows this one. Then a query whose first retransmission timer
        /// fires with no answer from this server since it was sent moves on to the next server at
        /// once instead of waiting out its budget here, and while the server stays silent only one
        /// query at a time probes it (resolvers such as glibc's move on after one timeout too).</summary>
        public bool HasFallback { get; set; }

        /// <summary>True when new queries should go to the next server: this one seems silent and
        /// already has a probe on the wire. Read without the lock; a stale value costs one query
        /// one retransmission timeout.</summary>
        public bool Avoid => HasFallback && _suspect && Volatile.Read(ref _waiting) > 0;

        /// <summary>What the congestion control learned, for verbose output.</summary>
        public ServerStatistics Statistics
        {
            get
            {
                lock (_lock)
                    return new ServerStatistics(Server, _window.Window, _largestWindow, _window.Srtt, _window.Rto.TotalSeconds,
                        _sent, _answered, _lost, _retransmitted, _timedOut);
            }
        }

        /// <summary>Queries queued or on the wire.</summary>
        public int PendingCount { get { lock (_lock) return _waiting; } }

        /// <summary>The congestion window now (for tests and verbose output).</summary>
        public int Window { get { lock (_lock) return _window.Window; } }

        /// <summary>Distinct source ports used so far.</summary>
        public int PortsUsed { get { lock (_lock) return _pool.PortsUsed; } }

        public Task<AttemptResult> AskAsync(string name, DnsRecordType type, long asked, CancellationToken cancellationToken)
        {
            byte[] packet = DnsWire.BuildQuery(0, name, type, _recursionDesired);
            if (packet == null) return Task.FromResult(new AttemptResult { Outcome = Attempt.BadName });
            var query = new PendingQuery { Name = name, Type = type, Packet = packet, Asked = asked, Owner = this, Token = cancellationToken };
            if (cancellationToken.CanBeCanceled)
                query.Registration = cancellationToken.Register(CancelCallback, query);
            List<PendingQuery> sends = null;
            // Decided under the lock, before the query can be sent: once it is queued, another thread
            // (an ICMP error on the port, a timer) may finish it and complete it a moment later, and
            // reading Done out here then would cancel a query that has a real outcome.
            bool cancelNow;
            lock (_lock)
            {
                // Done already: the token was cancelled at registration.
                cancelNow = _closed || query.Done;
                if (cancelNow) query.Done = true;
                else
                {
                    _queue.Enqueue(query);
                    query.Counted = true;
                    _waiting++;
                    Pump(Stopwatch.GetTimestamp(), ref sends);
                }
            }
            if (cancelNow) query.Completion.TrySetCanceled();
            Transmit(sends);
            return query.Completion.Task;
        }

        /// <summary>Starts queued queries while the window has room. Under the lock.</summary>
        private void Pump(long now, ref List<PendingQuery> sends)
        {
            bool silent = (_expiredSinceAnswer >= SilentAfter && now - _lastAnswer >= _budget) || (HasFallback && _suspect);
            _pacer.Refill(now, _window);
            while (_queue.Count > 0 && (_inWindow < _window.Window || silent))
            {
                if (!silent && !_pacer.CanSend) break;   // the 10 ms sweep or the next answer goes on
                var q = _queue.Dequeue();
                if (q.Done) continue;
                if (silent && _inWindow > 0)
                {
                    q.FailWith = Attempt.TimedOut;   // Transmit reports it; the probe goes on
                    (sends ?? (sends = TakeList())).Add(q);
                    continue;
                }
                UdpPort port;
                try { port = _pool.Pick(now); }
                catch (SocketException)
                {
                    q.FailWith = Attempt.Unreachable;   // no socket to be had
                    (sends ?? (sends = TakeList())).Add(q);
                    continue;
                }
                ushort id;
                do { id = _pool.NextId(); } while (port.Pending.ContainsKey(id));
                q.Id = id;
                q.Port = port;
                q.Packet[0] = (byte)(id >> 8);
                q.Packet[1] = (byte)id;
                port.Pending.Add(id, q);
                port.Sent++;
                q.FirstSent = now;
                q.Deadline = now + _budget;
                q.Rto = Ticks(_window.Rto);
                q.RetransmitAt = Math.Min(now + q.Rto, q.Deadline);
                q.Transmissions = 1;
                q.InWindow = true;
                _inWindow++;
                _sent++;
                if (_inWindow > _largestWindow) _largestWindow = _inWindow;
                _pacer.Took();
                (sends ?? (sends = TakeList())).Add(q);
            }
        }

        /// <summary>Sends what <see cref="Pump"/> or the timer chose. Outside the lock.</summary>
        private void Transmit(List<PendingQuery> sends)
        {
            if (sends == null) return;
            foreach (var q in sends)
            {
                if (q.FailWith.HasValue) Fail(q, q.FailWith.Value);
                else if (!q.Port.Send(q.Packet)) Fail(q, Attempt.Unreachable);
            }
            sends.Clear();
            _spareList = sends;
        }

        // One list of sends per thread, reused: a new one for every answer and every query was a
        // fifth of what the client allocated. Taken while in use, so a nested Transmit (a failed
        // send pumps again) gets its own.
        [ThreadStatic] private static List<PendingQuery> _spareList;

        private static List<PendingQuery> TakeList()
        {
            var list = _spareList;
            if (list == null) return new List<PendingQuery>();
            _spareList = null;
            return list;
        }

        /// <summary>Takes a query off the wire and out of the queue count. Under the lock.</summary>
        private void Finish(PendingQuery q, ref List<PendingQuery> sends)
        {
            if (q.Done) return;
            q.Done = true;
            if (q.Counted) _waiting--;
            if (q.InWindow) { q.InWindow = false; _inWindow--; }
            var port = q.Port;
            if (port == null) return;
            port.Pending.Remove(q.Id);
            _pool.Released(port);
        }

        private void Fail(PendingQuery q, Attempt outcome)
        {
            List<PendingQuery> sends = null;
            bool mine;
            lock (_lock)
            {
                mine = !q.Done;
                Finish(q, ref sends);
                Pump(Stopwatch.GetTimestamp(), ref sends);
            }
            if (mine) q.Complete(new AttemptResult { Outcome = outcome });
            Transmit(sends);
        }

        // One delegate for every query (the query is the state): no closure per query.
        private static readonly Action<object> CancelCallback = s => { var q = (PendingQuery)s; q.Owner.Cancel(q, q.Token); };

        private void Cancel(PendingQuery q, CancellationToken token)
        {
            List<PendingQuery> sends = null;
            lock (_lock)
            {
                if (q.Done) return;
                // Not yet queued (a token cancelled at registration): the caller sees Done.
                if (!q.Counted) { q.Done = true; return; }
                Finish(q, ref sends);
                Pump(Stopwatch.GetTimestamp(), ref sends);
            }
            q.CancelLater(token);
            Transmit(sends);
        }

        private static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);
        private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
        private static TimeSpan Elapsed(long start) => TimeSpan.FromSeconds(Seconds(Stopwatch.GetTimestamp() - start));

        public void Dispose()
        {
            var all = new List<PendingQuery>();
            lock (_lock)
            {
                if (_closed) return;
                _closed = true;
                foreach (var p in _pool.All()) all.AddRange(p.Pending.Values);
                _pool.Dispose();
                all.AddRange(_queue);
                _queue.Clear();
                foreach (var q in all) q.Done = true;
                _waiting = 0;
                _inWindow = 0;
            }
            foreach (var q in all)
            {
                q.Registration.Dispose();
                q.CancelLater(CancellationToken.None);
            }
        }
    }
}
