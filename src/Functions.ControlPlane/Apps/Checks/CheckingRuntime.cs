using Functions.Runtime;

namespace Functions.ControlPlane.Apps.Checks;

/// <summary>
/// The deploy checks' <see cref="WasmRuntime"/>, the checks using it, and one scaled-to-zero pool per recently checked
/// module. A pool is what keeps a module in a runtime's memory (a module no pool refers to may leave it at once), so
/// a module tried once need not be compiled again at the next deploy; past <c>capacity</c> modules the least
/// recently used pool is disposed and its module may go. A retired runtime is disposed by its last user.
/// </summary>
internal sealed class CheckingRuntime(WasmRuntime runtime, int capacity)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<(string Digest, FunctionPool Pool)>> _kept = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Digest, FunctionPool Pool)> _recent = new();

    public WasmRuntime Runtime { get; } = runtime;

    /// <summary>Checks using it; changed under the owner's lock.</summary>
    public int Users { get; set; }

    public bool Retired { get; set; }

    /// <summary>Keeps <paramref name="pool"/> as the one that holds its module in memory, or disposes it if one does already.</summary>
    public void Keep(string digest, FunctionPool pool)
    {
        FunctionPool? surplus = pool;
        lock (_lock)
        {
            if (_kept.TryGetValue(digest, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
            }
            else
            {
                _kept[digest] = _recent.AddFirst((digest, pool));
                surplus = null;
                if (_recent.Count > capacity)
                {
                    var oldest = _recent.Last!;
                    _recent.RemoveLast();
                    _kept.Remove(oldest.Value.Digest);
                    surplus = oldest.Value.Pool;
                }
            }
        }

        surplus?.Dispose();
    }

    /// <summary>Disposes the kept pools, then the runtime.</summary>
    public void Dispose()
    {
        List<FunctionPool> pools;
        lock (_lock)
        {
            pools = [.. _recent.Select(k => k.Pool)];
            _recent.Clear();
            _kept.Clear();
        }

        foreach (var pool in pools)
        {
            pool.Dispose();
        }

        Runtime.Dispose();
    }
}
