namespace Functions.Runtime.Execution;

/// <summary>
/// A run without a pool: instantiate, run, delete. A missing entrypoint or a failed instantiation is an outcome. Holds
/// its plan's use of the module until its lease is given back.
/// </summary>
internal sealed class OneShot(FunctionPlan plan, InstanceFactory factory) : IInvocationTarget
{
    public InvocationResult Run(Invocation invocation, ThreadScratch scratch, long started, CancellationToken cancellationToken,
        out PreparedInstance? used)
    {
        used = null;
        PreparedInstance? prepared;
        try
        {
            prepared = factory.TryCreate(plan);
        }
        catch (EntrypointMissingException missing)
        {
            return InvocationResult.NotRun(InvocationOutcome.EntrypointMissing, missing.Message);
        }
        catch (InstantiationException failed)
        {
            return InvocationResult.NotRun(InvocationOutcome.Trapped, failed.Message);
        }

        if (prepared is null)
        {
            return InvocationResult.NotRun(InvocationOutcome.Busy, $"every instance slot of the runtime is in use ({factory.Counter.Capacity})");
        }

        try
        {
            var result = Invoker.Run(prepared, plan, invocation, scratch, started, poolHit: false, cancellationToken);
            used = prepared;
            return result;
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    public TimeSpan Timeout => plan.Settings.Timeout;

    public bool MayRunInline => false;

    public void RunsInline()
    {
    }

    public void Release() => plan.Module.Release();
}
