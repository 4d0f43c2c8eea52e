using System.Threading;
using System.Threading.Tasks;

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
        public CancellationTokenRegistration Registration;
        public readonly TaskCompletionSource<AttemptResult> Completion =
            new TaskCompletionSource<AttemptResult>(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Outside the owner's lock: a cancellation callback may be waiting for it.</summary>
        public void Complete(AttemptResult result)
        {
            Registration.Dispose();
            Completion.TrySetResult(result);
        }
    }
}
