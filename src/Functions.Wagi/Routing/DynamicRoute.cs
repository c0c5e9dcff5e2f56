namespace Functions.Wagi;

/// <summary>A route a module's <c>_routes</c> export declared, already placed under its binding's route.</summary>
/// <param name="Pattern">The full route, e.g. <c>/parent/exact</c>.</param>
/// <param name="Entrypoint">The export that serves it.</param>
/// <param name="Line">The 1-based line of the <c>_routes</c> output that declared it.</param>
public sealed record DynamicRoute(RoutePattern Pattern, string Entrypoint, int Line);
