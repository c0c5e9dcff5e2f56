namespace Functions.Runtime.Execution;

/// <summary>
/// Decides where every admitted invocation runs, and owns what that needs: the execution threads, the bound on inline
/// runs (on the caller's own thread), the scratch states lent to callers, the one refill thread, and the thread
/// pool's floor. One per <see cref="WasmRuntime"/>.
/// </summary>
internal sealed class Scheduler : IDisposable
{
    public Scheduler(RuntimeOptions options)
    {
        Scratches = new ScratchPool(options.MaxStderrBytes);
        Threads = new ExecutionThreads(Scratches, options.ExecutionThreads, options.MaxExecutionThreads,
            options.ExecutionThreadIdleTimeout, options.ExecutionThreadStackBytes);
        Inline = new InlineRuns(options.InlineRuns, options.InlineRunThreshold);
        Refiller = new Refiller();
        if (Inline.Enabled)
        {
            ReserveThreadPoolThreads(Inline.Slots);
        }
    }

    public ScratchPool Scratches { get; }

    public ExecutionThreads Threads { get; }

    public InlineRuns Inline { get; }

    public Refiller Refiller { get; }

    /// <summary>
    /// Runs an admitted invocation: on the caller's thread when its function has earned it and an inline slot is free
    /// (the task is then complete on return), else on an execution thread. The lease is given back exactly once, before
    /// the result is published.
    /// </summary>
    public ValueTask<InvocationResult> Dispatch(InvocationLease lease, Invocation invocation, CancellationToken cancellationToken)
    {
        if (Inline.Enabled && lease.Target.MayRunInline && Inline.TryEnter())
        {
            lease.Target.RunsInline();
            try
            {
                return ValueTask.FromResult(RunHere(lease, invocation, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<InvocationResult>(cancellationToken);
            }
            catch (Exception error)
            {
                return ValueTask.FromException<InvocationResult>(error);
            }
            finally
            {
                Inline.Exit();
            }
        }

        var work = new InvocationWork(lease, invocation, cancellationToken);
        try
        {
            Threads.Post(work);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        return new ValueTask<InvocationResult>(work.Completion);
    }

    /// <summary>Runs an admitted invocation on this thread, with a borrowed scratch state.</summary>
    public InvocationResult RunHere(InvocationLease lease, Invocation invocation, CancellationToken cancellationToken)
    {
        var scratch = Scratches.Rent();
        PreparedInstance? used = null;
        try
        {
            return lease.Target.Run(invocation, scratch, System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken, out used);
        }
        finally
        {
            lease.Dispose();
            used?.Dispose();
            Scratches.Return(scratch);
        }
    }

    /// <summary>
    /// Short functions run on the caller's thread (a thread-pool thread, in a server), at most <paramref name="inlineRuns"/>
    /// at once. Should such a function turn slow, those threads are blocked until its timeout: the pool's floor is raised
    /// by that many, so it starts replacements at once instead of after its starvation delay.
    /// </summary>
    private static void ReserveThreadPoolThreads(int inlineRuns)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        var wanted = Environment.ProcessorCount + inlineRuns;
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, completionPorts);
        }
    }

    /// <summary>Stops the threads; running invocations end.</summary>
    public void Dispose()
    {
        Threads.Dispose();
        Refiller.Dispose();
        Scratches.Dispose();
    }
}
