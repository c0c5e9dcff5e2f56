using Functions.Contracts;
using Functions.Runtime;

namespace Functions.Worker.Serving;

/// <summary>What a matched route runs: its binding (env, argv template, limits) and the pool of its entrypoint.</summary>
public sealed record ServedRoute(RouteBinding Binding, string Entrypoint, FunctionPool Pool)
{
    /// <summary>The label metrics and logs use for this route: the pattern as bound (sub-routes included).</summary>
    public required string Label { get; init; }
}
