using Functions.Runtime;
using Functions.Wagi;

namespace Functions.Worker.Serving;

/// <summary>
/// One applied generation: an immutable route table and the pools behind it. Replaced as a whole, never edited,
/// so a request sees either the old generation or the new one, never a mix.
/// </summary>
public sealed class ServingState(long generation, RouteTable<ServedRoute> routes, IReadOnlyDictionary<PoolKey, FunctionPool> pools)
{
    public static ServingState Empty { get; } = new(0, new RouteTable<ServedRoute>([]), new Dictionary<PoolKey, FunctionPool>());

    public long Generation { get; } = generation;

    public RouteTable<ServedRoute> Routes { get; } = routes;

    public IReadOnlyDictionary<PoolKey, FunctionPool> Pools { get; } = pools;
}
