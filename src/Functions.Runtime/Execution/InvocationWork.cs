using System.Diagnostics;

namespace Functions.Runtime.Execution;

/// <summary>One invocation handed to an execution thread; completes <see cref="Completion"/> when it has run.</summary>
internal sealed class InvocationWork(IInvocationTarget target, Invocation invocation, CancellationToken cancellationToken)
    : IExecutionWork
{
    // The awaiting code continues on this execution thread (e.g. the worker writes its HTTP response) instead of
    // waiting for a thread-pool thread to wake: one thread hop less per request. The store is deleted after that, and
    // a continuation that blocks only delays this thread: the next invocation gets another one.
    private readonly TaskCompletionSource<InvocationResult> _completion = new();

    public Task<InvocationResult> Completion => _completion.Task;

    public void Execute(ThreadScratch scratch)
    {
        try
        {
            if (cancellationToken.IsCancellationRequested)
            {
                target.Finished();
                _completion.TrySetCanceled(cancellationToken);
                return;
            }

            var result = target.Run(invocation, scratch, Stopwatch.GetTimestamp(), cancellationToken, out var used);
            target.Finished();
            _completion.TrySetResult(result);

            // Deleting the store (its memory slot reset, its WASI context dropped) takes microseconds the caller need
            // not wait for; this thread does it before it takes its next item.
            used?.Dispose();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            target.Finished();
            _completion.TrySetCanceled(cancellationToken);
        }
        catch (Exception error)
        {
            target.Finished();
            _completion.TrySetException(error);
        }
    }

    public void Fail(Exception error)
    {
        target.Finished();
        _completion.TrySetException(error);
    }
}

/// <summary>What an <see cref="InvocationWork"/> runs: a pool, or a one-off run.</summary>
internal interface IInvocationTarget
{
    /// <summary>Takes or makes an instance and runs the invocation on it (on an execution thread).</summary>
    /// <paramref name="used"/> is the instance to delete once the result is published.
    InvocationResult Run(Invocation invocation, ThreadScratch scratch, long started, CancellationToken cancellationToken,
        out PreparedInstance? used);

    /// <summary>Called once per invocation when it is over, before its result is published.</summary>
    void Finished();
}
