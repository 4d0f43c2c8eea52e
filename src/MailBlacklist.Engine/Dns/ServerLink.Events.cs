using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MailBlacklist.Engine.Dns
{
    // What arrives for a server: answers, ICMP errors and the timers' sweep.
    internal sealed partial class ServerLink
    {
        private void OnDatagram(UdpPort port, byte[] message, int length)
        {
            ushort id = DnsWire.ReadId(message);
            PendingQuery q;
            List<PendingQuery> sends = null;
            lock (_lock)
            {
                if (!port.Pending.TryGetValue(id, out q) || q.Done) return;               // late or foreign
                // RFC 5452: the ID alone is not enough; a forged or garbled answer is ignored and the
                // query keeps waiting for the real one.
                if (!DnsWire.MatchesQuestion(message, length, q.Name, q.Type)) return;
                long now = Stopwatch.GetTimestamp();
                _lastAnswer = now;
                _expiredSinceAnswer = 0;
                _suspect = false;
                _answered++;
                // Karn: an answer to a query sent more than once says nothing about the round trip.
                _window.OnAnswer(q.Transmissions == 1 ? Seconds(now - q.FirstSent) : -1);
                Finish(q, ref sends);
                Pump(now, ref sends);
            }
            // Parsed on this socket's thread, before its buffer is reused.
            AttemptResult result;
            if (DnsWire.IsTruncated(message)) result = new AttemptResult { Outcome = Attempt.Truncated };
            else result = new AttemptResult { Outcome = Attempt.Answered, Answer = DnsWire.Parse(message, length, q.Type, Elapsed(q.Asked), Server) };
            // Sends first: the answer's continuations run on this thread and may take a while.
            Transmit(sends);
            q.CompleteHere(result);
        }

        /// <summary>ICMP "port unreachable": nobody listens on the server's port, so every query
        /// on the wire to it fails now (a retransmission would only get the same).</summary>
        private void OnUnreachable(UdpPort port)
        {
            var failed = new List<PendingQuery>();
            List<PendingQuery> sends = null;
            lock (_lock)
            {
                foreach (var p in _pool.All())
                    foreach (var q in p.Pending.Values) failed.Add(q);
                foreach (var q in failed) Finish(q, ref sends);
                Pump(Stopwatch.GetTimestamp(), ref sends);
            }
            foreach (var q in failed) q.Complete(new AttemptResult { Outcome = Attempt.Unreachable });
            Transmit(sends);
        }

        /// <summary>Retransmission timers and deadlines; called every few milliseconds.</summary>
        public void Sweep(long now)
        {
            List<PendingQuery> expired = null, sends = null, due = null;
            lock (_lock)
            {
                if (_waiting == 0) return;
                foreach (var p in _pool.All())
                    foreach (var q in p.Pending.Values)
                        if (now >= q.RetransmitAt || now >= q.Deadline) (due ?? (due = new List<PendingQuery>())).Add(q);
                // No return when nothing is due: queries held back by pacing leave on the Pump
                // below when no answer comes to send them.
                if (due != null) foreach (var q in due)
                {
                    bool silentSince = q.FirstSent > _lastAnswer;
                    if (silentSince) _suspect = true;
                    if (now >= q.Deadline || (HasFallback && silentSince))
                    {
                        if (q.InWindow) { _window.OnLoss(); _lost++; }
                        _expiredSinceAnswer++;
                        _timedOut++;
                        Finish(q, ref sends);
                        (expired ?? (expired = new List<PendingQuery>())).Add(q);
                        continue;
                    }
                    if (q.InWindow)
                    {
                        // Lost, as TCP counts it: it leaves the window, and its retransmissions,
                        // spaced by exponential backoff, do not hold a place in it.
                        q.InWindow = false;
                        _inWindow--;
                        _window.OnLoss();
                        _lost++;
                    }
                    _retransmitted++;
                    q.Rto *= 2;
                    q.Transmissions++;
                    q.RetransmitAt = Math.Min(now + q.Rto, q.Deadline);
                    (sends ?? (sends = TakeList())).Add(q);
                }
                Pump(now, ref sends);
            }
            if (expired != null)
                foreach (var q in expired) q.Complete(new AttemptResult { Outcome = Attempt.TimedOut });
            Transmit(sends);
        }
    }
}
