using Functions.Cli.Api;

namespace Functions.Cli.Deploying;

/// <summary>What a deploy did: the modules it uploaded, the routes and the release it activated.</summary>
/// <param name="App">The application.</param>
/// <param name="DryRun">True when nothing was sent: the routes as they would be deployed.</param>
/// <param name="Version">The release now active; null on a dry run.</param>
/// <param name="Generation">The generation workers must reach to serve it; null on a dry run.</param>
/// <param name="Routes">Every route of the release.</param>
/// <param name="Modules">Each module file, uploaded or found already uploaded.</param>
internal sealed record DeployResult(
    string App,
    bool DryRun,
    int? Version,
    long? Generation,
    IReadOnlyList<DeployedRoute> Routes,
    IReadOnlyList<ModuleUpload> Modules)
{
    public static DeployResult From(Activation activation, IReadOnlyList<DeployedRoute> routes, IReadOnlyList<ModuleUpload> modules) =>
        new(activation.App, false, activation.Version, activation.Generation, routes, modules);

    public static DeployResult Planned(string app, IReadOnlyList<RoutePlan> routes) => new(
        app, true, null, null,
        [.. routes.Select(r => new DeployedRoute(r.Route, r.ModuleDigest, r.ModulePath, r.Entrypoint))],
        []);
}

/// <summary>One deployed route: its module's digest (null on a dry run of a file) and the file it came from.</summary>
internal sealed record DeployedRoute(string Route, string? Module, string? Source, string? Entrypoint);
