using System.Diagnostics;

namespace Functions.Runtime.Execution;

/// <summary>One invocation handed to an execution thread; completes <see cref="Completion"/> when it has run.</summary>
internal sealed class InvocationWork(InvocationLease lease, Invocation invocation, CancellationToken cancellationToken)
    : IExecutionWork
{
    /// <summary>
    /// How long past its timeout a run may go on before the caller is answered without it. The epoch watch stops
    /// WebAssembly code within a tick and the runtime's <c>poll_oneoff</c> ends a sleep at the deadline; only a module
    /// blocked in another host call would get here (a backstop: none blocks today).
    /// </summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);

    // The awaiting code continues on this execution thread (e.g. the worker writes its HTTP response) instead of
    // waiting for a thread-pool thread to wake: one thread hop less per request. The store is deleted after that, and
    // a continuation that blocks only delays this thread: the next invocation gets another one.
    private readonly TaskCompletionSource<InvocationResult> _completion = new();
    private long _overdueAt;
    private long _started;

    public Task<InvocationResult> Completion => _completion.Task;

    public long OverdueAt => Volatile.Read(ref _overdueAt);

    private TimeSpan Timeout => lease.Target.Timeout;

    public void Execute(ThreadScratch scratch)
    {
        PreparedInstance? used = null;
        InvocationResult? result = null;
        Exception? failure = null;
        try
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _started = Stopwatch.GetTimestamp();
                Volatile.Write(ref _overdueAt, _started + (long)((Timeout + Grace).TotalSeconds * Stopwatch.Frequency));
                result = lease.Target.Run(invocation, scratch, _started, cancellationToken, out used);
                Volatile.Write(ref _overdueAt, 0);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = error;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // The lease first: a caller that sees the result also sees the function's slot free again.
            lease.Dispose();
        }

        if (result is not null)
        {
            _completion.TrySetResult(result);
        }
        else if (failure is not null)
        {
            _completion.TrySetException(failure);
        }
        else
        {
            _completion.TrySetCanceled(cancellationToken);
        }

        // Deleting the store (its memory slot reset, its WASI context dropped) takes microseconds the caller need
        // not wait for; this thread does it before it takes its next item.
        used?.Dispose();
    }

    /// <summary>
    /// Answers the caller TimedOut while the run is still stuck in a host call other than a sleep. The run keeps its thread, instance and
    /// concurrency slot until it really ends (then the epoch watch stops it), so a function that blocks cannot
    /// accumulate more than its concurrency limit of stuck runs.
    /// </summary>
    public void Overdue()
    {
        if (_completion.Task.IsCompleted)
        {
            return;
        }

        var result = InvocationResult.NotRun(InvocationOutcome.TimedOut,
            $"still blocked in a host call past its timeout of {Timeout.TotalMilliseconds:F0} ms; " +
            "answered without waiting for it") with { Elapsed = Stopwatch.GetElapsedTime(_started) };

        // Not on the epoch thread that noticed: the caller's continuation must not run there.
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Item1.TrySetResult(state.result), (_completion, result), preferLocal: false);
    }
}
