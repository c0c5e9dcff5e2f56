namespace Functions.Contracts;

/// <summary>
/// Export names the platform calls by convention. The other one, <c>_routes</c>, is part of the WAGI protocol and
/// lives with it: <c>DynamicRoutes.RoutesExport</c> in Functions.Wagi.
/// </summary>
public static class Entrypoints
{
    /// <summary>What a WASI command module runs, and the entrypoint of a route that names none.</summary>
    public const string Start = "_start";
}
