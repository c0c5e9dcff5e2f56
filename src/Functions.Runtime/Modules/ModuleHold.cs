namespace Functions.Runtime;

/// <summary>A use of a compiled module (see <see cref="WasmRuntime.Hold"/>): it stays in memory until this is disposed.</summary>
public sealed class ModuleHold : IDisposable
{
    private int _released;

    internal ModuleHold(CompiledModule module) => Module = module;

    /// <summary>The module held: the one given, or the same digest loaded again.</summary>
    public CompiledModule Module { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Module.Release();
        }
    }
}
