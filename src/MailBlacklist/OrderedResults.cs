namespace MailBlacklist
{
    /// <summary>Work started in input order, written in input order on the pipeline thread.
    /// Results whose turn has come are written as soon as they are ready, so output streams while
    /// input still arrives; the queue length bounds memory.</summary>
    internal sealed class OrderedResults<TItem, TResult>
    {
        private readonly Queue<(TItem item, Task<TResult> task)> _queue = new Queue<(TItem, Task<TResult>)>();

        public int Pending => _queue.Count;

        public void Add(TItem item, Task<TResult> task) => _queue.Enqueue((item, task));

        /// <summary>Writes finished results from the head of the queue. Waits for the head while more
        /// than <paramref name="maxPending"/> are queued (0 = until the queue is empty); once it has
        /// had to wait, it goes on down to half of that, so that the pipeline thread wakes once for
        /// a batch of results rather than once per input.
        /// <paramref name="idle"/> runs on this thread about every 200 ms while waiting.</summary>
        public void Drain(Action<TItem, Task<TResult>> write, int maxPending, Action idle, CancellationToken cancellationToken)
        {
            int limit = maxPending;
            while (_queue.Count > 0)
            {
                var head = _queue.Peek();
                while (!head.task.IsCompleted)
                {
                    if (_queue.Count <= limit) return;
                    limit = maxPending / 2;
                    // Block on the task's event rather than Task.Wait, which spins first: a spinning
                    // pipeline thread takes a core from the workers it is waiting for. (A fault is
                    // reported by write; cancellation ends the wait.)
                    WaitHandle.WaitAny(new[] { ((IAsyncResult)head.task).AsyncWaitHandle, cancellationToken.WaitHandle }, 200);
                    cancellationToken.ThrowIfCancellationRequested();
                    idle?.Invoke();
                }
                _queue.Dequeue();
                write(head.item, head.task);
            }
        }
    }
}
