using System.Diagnostics;

namespace Functions.Runtime.Execution;

/// <summary>One invocation handed to an execution thread; completes <see cref="Completion"/> when it has run.</summary>
internal sealed class InvocationWork(IInvocationTarget target, Invocation invocation, CancellationToken cancellationToken)
    : IExecutionWork
{
    private readonly long _posted = Stopwatch.GetTimestamp();

    // Continuations run on the thread pool, never on the execution thread that is about to take its next item.
    private readonly TaskCompletionSource<InvocationResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

            var result = target.Run(invocation, scratch, _posted, cancellationToken);
            target.Finished();
            _completion.TrySetResult(result);
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
    InvocationResult Run(Invocation invocation, ThreadScratch scratch, long started, CancellationToken cancellationToken);

    /// <summary>Called once per invocation when it is over, before its result is published.</summary>
    void Finished();
}
