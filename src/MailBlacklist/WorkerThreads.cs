using System.Collections.Concurrent;

namespace MailBlacklist
{
    /// <summary>A few dedicated threads (one per processor, shared by the whole session) for CPU-bound
    /// work such as parsing bounces. Thread-pool workers spin for a while each time their queue runs
    /// dry, which on a small machine takes CPU from the workers still parsing; these block instead.</summary>
    internal sealed class WorkerThreads : TaskScheduler
    {
        private static readonly Lazy<WorkerThreads> Instance = new Lazy<WorkerThreads>(() => new WorkerThreads(Environment.ProcessorCount));

        public static TaskScheduler Shared => Instance.Value;

        private readonly BlockingCollection<Task> _queue = new BlockingCollection<Task>();
        private readonly int _count;

        private WorkerThreads(int count)
        {
            _count = Math.Max(1, count);
            for (int i = 0; i < _count; i++)
                new Thread(Run) { IsBackground = true, Name = "MailBlacklist worker " + (i + 1) }.Start();
        }

        public override int MaximumConcurrencyLevel => _count;

        private void Run()
        {
            foreach (var task in _queue.GetConsumingEnumerable()) TryExecuteTask(task);
        }

        protected override void QueueTask(Task task) => _queue.Add(task);

        // Never inline on the caller (the pipeline thread): it must stay free to write results.
        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();
    }
}
