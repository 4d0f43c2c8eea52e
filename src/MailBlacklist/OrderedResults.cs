namespace MailBlacklist
{
    /// <summary>Work started in input order, written in input order on the pipeline thread.
    /// Results whose turn has come are written as soon as they are ready, so output streams while
    /// input still arrives; the queue length bounds memory.</summary>
    internal sealed class OrderedResults<TItem, TResult>
    {
        /// <summary>Finished inputs that may wait behind an unfinished one, as a multiple of the
        /// window. A slow input at the head (a listed address waits for its TXT, a lost packet for
        /// its retransmission) must not stop new input: with the window counting finished inputs
        /// too, the resolver ran dry behind one slow answer (on a 50 ms path, about a third of the
        /// run was such stalls).</summary>
        private const int BufferFactor = 4;

        private readonly Queue<(TItem item, Task<TResult> task)> _queue = new Queue<(TItem, Task<TResult>)>();
        private readonly AutoResetEvent _finished = new AutoResetEvent(false);
        private int _running;
        private volatile int _wakeAt = -1;

        // One delegate for every input (the collection is the state): no closure per input.
        private static readonly Action<Task<TResult>, object> OnFinished = (t, s) =>
        {
            var self = (OrderedResults<TItem, TResult>)s;
            if (Interlocked.Decrement(ref self._running) <= self._wakeAt) self._finished.Set();
        };

        public int Pending => _queue.Count;

        public void Add(TItem item, Task<TResult> task)
        {
            _queue.Enqueue((item, task));
            if (task.IsCompleted) return;
            Interlocked.Increment(ref _running);
            task.ContinueWith(OnFinished, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        /// <summary>Writes finished results from the head of the queue, then returns while at most
        /// <paramref name="maxPending"/> inputs are unfinished and at most four times as many wait to
        /// be written (0 = waits until the queue is empty). Once it has had to wait, it goes on down
        /// to half of those, so that the pipeline thread wakes once for a batch of results rather
        /// than once per input. <paramref name="idle"/> runs on this thread about every 200 ms while
        /// waiting.</summary>
        public void Drain(Action<TItem, Task<TResult>> write, int maxPending, Action idle, CancellationToken cancellationToken)
        {
            int running = maxPending, queued = maxPending * BufferFactor;
            while (true)
            {
                while (_queue.Count > 0 && _queue.Peek().task.IsCompleted)
                {
                    var done = _queue.Dequeue();
                    write(done.item, done.task);
                }
                if (_queue.Count == 0) return;
                bool full = _queue.Count > queued;
                if (!full && Volatile.Read(ref _running) <= running) return;
                running = maxPending / 2;
                queued = maxPending * BufferFactor / 2;
                // Block on an event rather than Task.Wait, which spins first: a spinning pipeline
                // thread takes a core from the workers it is waiting for. (A fault is reported by
                // write; cancellation ends the wait.)
                if (full) WaitHandle.WaitAny(new[] { ((IAsyncResult)_queue.Peek().task).AsyncWaitHandle, cancellationToken.WaitHandle }, 200);
                else
                {
                    _wakeAt = running;
                    // Finished between the check and the line above: no signal will come.
                    if (Volatile.Read(ref _running) > running)
                        WaitHandle.WaitAny(new[] { _finished, cancellationToken.WaitHandle }, 200);
                    _wakeAt = -1;
                }
                cancellationToken.ThrowIfCancellationRequested();
                idle?.Invoke();
            }
        }
    }
}
