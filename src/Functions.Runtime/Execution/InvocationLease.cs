namespace Functions.Runtime.Execution;

/// <summary>
/// One admitted invocation's hold on its function's concurrency: taken once, at admission, and given back exactly once,
/// by <see cref="Dispose"/>, whichever way the invocation ends (run, cancelled before it ran, refused by a disposed
/// scheduler, failed). Disposing again does nothing.
/// </summary>
internal sealed class InvocationLease(IInvocationTarget target) : IDisposable
{
    private IInvocationTarget? _target = target;

    public IInvocationTarget Target { get; } = target;

    public void Dispose() => Interlocked.Exchange(ref _target, null)?.Release();
}
