using Functions.Modules;
using Functions.Runtime.Modules;
using Wasmtime;

namespace Functions.Runtime;

/// <summary>
/// A module compiled for this process's engine, shared by every pool that runs it. Its native code is freed when the
/// module cache lets it go (evicted, or no route refers to it any more) and no one is using it: users hold a use
/// (<see cref="TryAcquire"/> / <see cref="Release"/>) for as long as they may instantiate it.
/// </summary>
public sealed class CompiledModule
{
    private readonly Lazy<InstancePreHandle> _instancePre;
    private readonly Lock _gate = new();
    private int _users;
    private bool _evicted;
    private bool _freed;
    private long _lastUsed;

    internal CompiledModule(string digest, Module module, bool fromCache, Func<Module, InstancePreHandle> link, long sizeBytes = 0)
    {
        Digest = digest;
        Module = module;
        FromCache = fromCache;
        SizeBytes = sizeBytes;
        var functions = module.Exports.OfType<FunctionExport>().ToList();
        Functions = functions.ToDictionary(f => f.Name, f => (f.Parameters.Count, f.Results.Count), StringComparer.Ordinal);
        Exports = [.. functions.Where(ModuleInspector.IsEntrypoint).Select(f => f.Name)];
        _instancePre = new Lazy<InstancePreHandle>(() => link(module), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Digest { get; }

    /// <summary>Exports callable as an entrypoint: functions with no parameters and no results.</summary>
    public IReadOnlyList<string> Exports { get; }

    /// <summary>Whether this came from the disk cache rather than the compiler.</summary>
    public bool FromCache { get; }

    /// <summary>What the module is counted as against the cache's memory bound: the size of its compiled artifact.</summary>
    public long SizeBytes { get; }

    /// <summary>Whether the cache has let this module go; a new load of the digest gives another object.</summary>
    public bool IsEvicted
    {
        get
        {
            lock (_gate)
            {
                return _evicted;
            }
        }
    }

    internal Module Module { get; }

    /// <summary>Every exported function with its parameter and result counts.</summary>
    internal IReadOnlyDictionary<string, (int Parameters, int Results)> Functions { get; }

    /// <summary>
    /// The module linked against WASI, made on first use. Throws <see cref="ModuleLinkException"/> when an import
    /// is not WASI preview1 (the message names it); the failure is cached, like the success.
    /// </summary>
    internal InstancePreHandle InstancePre => _instancePre.Value;

    /// <summary>Holders of a use: plans of pools, one-off runs.</summary>
    internal int Users
    {
        get
        {
            lock (_gate)
            {
                return _users;
            }
        }
    }

    /// <summary>The <see cref="TimeProvider"/> timestamp of the last load or use, for the cache's least-recently-used order.</summary>
    internal long LastUsed => Volatile.Read(ref _lastUsed);

    internal void Touch(long timestamp) => Volatile.Write(ref _lastUsed, timestamp);

    /// <summary>Takes a use unless the cache has let the module go (then load the digest again).</summary>
    internal bool TryAcquire()
    {
        lock (_gate)
        {
            if (_evicted)
            {
                return false;
            }

            _users++;
            return true;
        }
    }

    /// <summary>Returns a use; the last one of an evicted module frees its native code.</summary>
    internal void Release()
    {
        lock (_gate)
        {
            _users--;
            if (_users > 0 || !_evicted)
            {
                return;
            }
        }

        Free();
    }

    /// <summary>
    /// Called by the cache when it lets the module go: no new use is given, and the native code is freed now when no
    /// one uses it, else when the last user releases it. Returns whether it was freed now.
    /// </summary>
    internal bool Evict()
    {
        lock (_gate)
        {
            if (_evicted)
            {
                return false;
            }

            _evicted = true;
            if (_users > 0)
            {
                return false;
            }
        }

        Free();
        return true;
    }

    private void Free()
    {
        lock (_gate)
        {
            if (_freed)
            {
                return;
            }

            _freed = true;
        }

        if (_instancePre.IsValueCreated)
        {
            try
            {
                _instancePre.Value.Dispose();
            }
            catch (ModuleLinkException)
            {
                // a module that never linked has no handle to free
            }
        }

        Module.Dispose();
    }
}
