using System.Runtime.ExceptionServices;
using MailBlacklist.Loader;

namespace MailBlacklist
{
    /// <summary>The one way a cmdlet of the module works on many inputs at once: each input's work
    /// runs as a task, and its result is written in input order on the pipeline thread as soon as
    /// its turn comes (OpenAuthenticode's AsyncPSCmdlet does the same). Here, in one place: the
    /// input window, progress, Ctrl+C, and rejected input, whose errors take their place among the
    /// results. A cmdlet's own file holds its parameters, reads its input, calls
    /// <see cref="Start"/> or <see cref="Reject"/> per input, <see cref="Finish"/> at the end, and
    /// writes one result in <see cref="WriteResult"/>.</summary>
    public abstract class OrderedAsyncCmdlet<TResult> : MailBlacklistCmdlet
    {
        private readonly OrderedResults<object, TResult> _results = new OrderedResults<object, TResult>();
        private static readonly Task<TResult> NoResult = Task.FromResult(default(TResult));
        private long _received, _written, _lastProgress;

        /// <summary>How much work may run at once: -ThrottleLimit queries, or the worker threads.</summary>
        protected abstract int Concurrency { get; }

        /// <summary>How much of <see cref="Concurrency"/> one input's work takes (its queries).</summary>
        protected virtual double WorkPerInput => 1;

        /// <summary>Inputs started ahead of the one being written: about four times
        /// <see cref="Concurrency"/> worth of work, so the resolver or the workers never run dry
        /// behind a slow input; no more, since each waiting input holds its tasks and results.</summary>
        protected int Window => Math.Max(16, (int)Math.Ceiling(4.0 * Concurrency / Math.Max(1.0, WorkPerInput)));

        /// <summary>The ErrorId of an input whose work failed (a defect: DNS failures are results).</summary>
        protected abstract string FailureErrorId { get; }

        /// <summary>Writes one input's result (on the pipeline thread, in input order).</summary>
        protected abstract void WriteResult(object input, TResult result);

        /// <summary>The progress bar's id and the message key of its activity (null: no progress).</summary>
        protected virtual int ProgressId => 1;

        protected virtual string ProgressActivityKey => null;

        /// <summary>The progress bar's status line, e.g. "120 of 500".</summary>
        protected virtual string ProgressStatus(long written, long received) => null;

        /// <summary>Queues one input's work, then writes what is ready (waiting while the window is full).</summary>
        protected void Start(object input, Task<TResult> work)
        {
            _received++;
            _results.Add(input, work);
            Drain(Window);
        }

        /// <summary>A non-terminating error about one input, written in that input's place.</summary>
        protected void Reject(string errorId, ErrorCategory category, object target, string key, params object[] args)
        {
            _results.Add(new ErrorRecord(new ArgumentException(L(key, args)), errorId, category, target), NoResult);
            Drain(Window);
        }

        /// <summary>Writes every result still pending, then completes the progress bar.</summary>
        protected void Finish()
        {
            Drain(0);
            if (_lastProgress > 0)
                WriteProgress(new ProgressRecord(ProgressId, L(ProgressActivityKey), L("Progress_Done")) { RecordType = ProgressRecordType.Completed });
        }

        private void Drain(int maxPending)
        {
            // Ctrl+C cancels the token: the wait ends within 200 ms, inputs not started are dropped.
            try { _results.Drain(Write, maxPending, ShowProgress, CancelToken); }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            ShowProgress();
        }

        private void Write(object input, Task<TResult> task)
        {
            if (input is ErrorRecord rejected)
            {
                WriteError(rejected);
                return;
            }
            _written++;
            if (task.IsCanceled)
            {
                // A "pipeline stopped" the user did not ask for would end the caller's script past
                // its try/catch with no error: only Ctrl+C stops the command.
                if (CancelToken.IsCancellationRequested) throw new PipelineStoppedException();
                WriteError(new ErrorRecord(new OperationCanceledException(L("Error_CancelledUnexpectedly", Shown(input?.ToString()))),
                    FailureErrorId, ErrorCategory.OperationStopped, input));
                return;
            }
            if (task.IsFaulted)
            {
                var ex = task.Exception.GetBaseException();
                // A broken installation stops the command, naming the assembly; it is no input's fault.
                if (ex is DependencyLoadException || ex is OutOfMemoryException) ExceptionDispatchInfo.Capture(ex).Throw();
                // Any other fault is a defect for this input: say so and go on with the next.
                WriteError(new ErrorRecord(ex, FailureErrorId, ErrorCategory.NotSpecified, input));
                return;
            }
            WriteResult(input, task.Result);
        }

        /// <summary>Not in the first second (short commands show none), then at most four times a second.</summary>
        private void ShowProgress()
        {
            if (ProgressActivityKey == null) return;
            long now = (long)Elapsed.TotalMilliseconds;
            if (now < 1000 || now - _lastProgress < 250) return;
            _lastProgress = now;
            int percent = _received == 0 ? 0 : (int)Math.Min(100, _written * 100 / _received);
            WriteProgress(new ProgressRecord(ProgressId, L(ProgressActivityKey), ProgressStatus(_written, _received)) { PercentComplete = percent });
        }
    }
}
