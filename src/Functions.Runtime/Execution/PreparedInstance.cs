using Wasmtime;

namespace Functions.Runtime.Execution;

/// <summary>An instantiated module waiting for its one request. Disposed after it, never reused.</summary>
internal sealed class PreparedInstance(Store store, Action entry) : IDisposable
{
    public Store Store { get; } = store;

    public Action Entry { get; } = entry;

    public void Dispose() => Store.Dispose();
}
