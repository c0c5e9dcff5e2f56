using Functions.Runtime.Execution;

namespace Functions.Runtime;

/// <summary>
/// One admitted invocation's hold on its function's concurrency: taken once, at admission
/// (<see cref="FunctionPool.TryAdmit"/>), and given back exactly once, by <see cref="Dispose"/>, whichever way the
/// invocation ends (run, cancelled before it ran, refused by a disposed scheduler, failed, or never run because its
/// request went wrong before). Running it gives it back when the run ends; disposing again does nothing. While a
/// lease is held its pool is not disposed (<see cref="FunctionPool.DisposeWhenIdle"/>).
/// </summary>
public sealed class InvocationLease : IDisposable
{
    private IInvocationTarget? _target;

    internal InvocationLease(IInvocationTarget target)
    {
        _target = target;
        Target = target;
    }

    internal IInvocationTarget Target { get; }

    /// <summary>Whether the lease is still held (not yet run nor given back).</summary>
    public bool IsHeld => Volatile.Read(ref _target) is not null;

    public void Dispose() => Interlocked.Exchange(ref _target, null)?.Release();
}
