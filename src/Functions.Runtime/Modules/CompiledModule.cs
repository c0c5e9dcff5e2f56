using Wasmtime;

namespace Functions.Runtime;

/// <summary>A module compiled for this process's engine, shared by every pool that runs it.</summary>
public sealed class CompiledModule
{
    internal CompiledModule(string digest, Module module, bool fromCache)
    {
        Digest = digest;
        Module = module;
        FromCache = fromCache;
        Exports = [.. module.Exports.OfType<FunctionExport>().Where(f => f.Parameters.Count == 0 && f.Results.Count == 0).Select(f => f.Name)];
    }

    public string Digest { get; }

    /// <summary>Exports callable as an entrypoint: functions with no parameters and no results.</summary>
    public IReadOnlyList<string> Exports { get; }

    /// <summary>Whether this came from the disk cache rather than the compiler.</summary>
    public bool FromCache { get; }

    internal Module Module { get; }
}
