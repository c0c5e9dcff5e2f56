using Functions.Runtime;
using Functions.Wagi;

namespace Functions.Worker.Serving;

/// <summary>
/// One app as this worker serves it: the release and bindings it was built from, its routes (sub-routes from
/// <c>_routes</c> included) and the pools behind them. Immutable; an unchanged app is carried into the next state as is.
/// </summary>
/// <param name="App">The app's name.</param>
/// <param name="Release">The release it was built from.</param>
/// <param name="Bindings">The fingerprint of the bindings it was built from (<c>AppBindings.Fingerprint</c>).</param>
/// <param name="Routes">Its routes, in the order bound.</param>
/// <param name="Pools">Its pools; no other app shares them.</param>
public sealed record ServedApp(
    string App,
    int Release,
    string Bindings,
    IReadOnlyList<(RoutePattern Pattern, ServedRoute Route)> Routes,
    IReadOnlyDictionary<PoolKey, FunctionPool> Pools);
