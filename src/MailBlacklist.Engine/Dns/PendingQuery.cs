namespace MailBlacklist.Engine.Dns
{
    internal enum Attempt { Answered, Truncated, TimedOut, Unreachable, BadName }

    internal struct AttemptResult
    {
        public Attempt Outcome;
        public DnsAnswer Answer;
    }

    /// <summary>One question to one server, from the queue to its answer. The fields belong to the
    /// owning <see cref="ServerLink"/> and change only under its lock.</summary>
    internal sealed class PendingQuery
    {
        public string Name;
        public DnsRecordType Type;
        public byte[] Packet;
        /// <summary>When the command asked (for the answer's Elapsed).</summary>
        public long Asked;
        public ushort Id;
        public UdpPort Port;
        public long FirstSent, Deadline, RetransmitAt, Rto;
        public int Transmissions;
        /// <summary>Counted in the congestion window: sent, and its first timer has not fired.</summary>
        public bool InWindow;
        public bool Done;
        /// <summary>Set when the query is to fail without being sent.</summary>
        public Attempt? FailWith;
        /// <summary>Counted among the link's waiting queries (queued once, uncounted when done).</summary>
        public bool Counted;
        public ServerLink Owner;
        public CancellationToken Token;
        public CancellationTokenRegistration Registration;
        // Continuations run where the task completes unless queued on purpose: the answer's whole
        // chain (cache, verdict, the input's other zones) then runs on the socket's reader thread,
        // instead of one thread-pool hop and wake-up per answer.
        public readonly TaskCompletionSource<AttemptResult> Completion = new TaskCompletionSource<AttemptResult>();
        private AttemptResult _result;
        private CancellationToken _cancelledBy;
        private static readonly WaitCallback SetResultLater = s => { var q = (PendingQuery)s; q.Completion.TrySetResult(q._result); };
        private static readonly WaitCallback SetCanceledLater = s => { var q = (PendingQuery)s; q.Completion.TrySetCanceled(q._cancelledBy); };

        /// <summary>Completes on this thread, running the awaiting code here. Only for a reader
        /// thread with no lock held: the hot path.</summary>
        public void CompleteHere(AttemptResult result)
        {
            Registration.Dispose();
            Completion.TrySetResult(result);
        }

        /// <summary>Completes on the thread pool: for the timer thread (retransmissions must not
        /// wait for callers' code), the cancelling thread, and a failed send (whose caller may be
        /// sending the next query: no recursion). Outside the owner's lock: a cancellation
        /// callback may be waiting for it.</summary>
        public void Complete(AttemptResult result)
        {
            Registration.Dispose();
            _result = result;
            ThreadPool.UnsafeQueueUserWorkItem(SetResultLater, this);
        }

        /// <summary>Cancels on the thread pool (see <see cref="Complete"/>).</summary>
        public void CancelLater(CancellationToken token)
        {
            _cancelledBy = token;
            ThreadPool.UnsafeQueueUserWorkItem(SetCanceledLater, this);
        }
    }
}
