using Functions.Runtime.Modules;
using Wasmtime;

namespace Functions.Runtime;

/// <summary>A module compiled for this process's engine, shared by every pool that runs it.</summary>
public sealed class CompiledModule
{
    private readonly Lazy<InstancePreHandle> _instancePre;

    internal CompiledModule(string digest, Module module, bool fromCache, Func<Module, InstancePreHandle> link)
    {
        Digest = digest;
        Module = module;
        FromCache = fromCache;
        var functions = module.Exports.OfType<FunctionExport>().ToList();
        Functions = functions.ToDictionary(f => f.Name, f => (f.Parameters.Count, f.Results.Count), StringComparer.Ordinal);
        Exports = [.. functions.Where(f => f.Parameters.Count == 0 && f.Results.Count == 0).Select(f => f.Name)];
        _instancePre = new Lazy<InstancePreHandle>(() => link(module), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Digest { get; }

    /// <summary>Exports callable as an entrypoint: functions with no parameters and no results.</summary>
    public IReadOnlyList<string> Exports { get; }

    /// <summary>Whether this came from the disk cache rather than the compiler.</summary>
    public bool FromCache { get; }

    internal Module Module { get; }

    /// <summary>Every exported function with its parameter and result counts.</summary>
    internal IReadOnlyDictionary<string, (int Parameters, int Results)> Functions { get; }

    /// <summary>
    /// The module linked against WASI, made on first use. Throws <see cref="ModuleLinkException"/> when an import
    /// is not WASI preview1 (the message names it); the failure is cached, like the success.
    /// </summary>
    internal InstancePreHandle InstancePre => _instancePre.Value;
}
