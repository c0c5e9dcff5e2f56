using Functions.Cli.Api;
using Functions.Cli.Files;
using Functions.Contracts.Api;

namespace Functions.Cli.Deploying;

/// <summary>What a deploy did: the modules it uploaded, the routes and the release it activated.</summary>
/// <param name="App">The application.</param>
/// <param name="DryRun">True when nothing was sent: the routes as they would be deployed.</param>
/// <param name="Version">The release now active; null on a dry run.</param>
/// <param name="Generation">The generation workers must reach to serve it; null on a dry run.</param>
/// <param name="Routes">Every route of the release.</param>
/// <param name="Modules">Each module file, uploaded or found already uploaded.</param>
/// <param name="Files">Each file bundle packed from local files, uploaded or found already uploaded.</param>
/// <param name="Pulled">Each module the control plane pulled from an OCI registry; null when none.</param>
internal sealed record DeployResult(
    string App,
    bool DryRun,
    int? Version,
    long? Generation,
    IReadOnlyList<DeployedRoute> Routes,
    IReadOnlyList<ModuleUpload> Modules,
    IReadOnlyList<FileUpload> Files,
    IReadOnlyList<ModulePull>? Pulled = null)
{
    public static DeployResult From(
        Activation activation, IReadOnlyList<DeployedRoute> routes, IReadOnlyList<ModuleUpload> modules,
        IReadOnlyList<FileUpload> files, IReadOnlyList<ModulePull>? pulled = null) =>
        new(activation.App, false, activation.Version, activation.Generation, routes, modules, files,
            pulled is { Count: > 0 } ? pulled : null);

    public static DeployResult Planned(string app, IReadOnlyList<RoutePlan> routes) => new(
        app, true, null, null,
        [.. routes.Select(r => new DeployedRoute(r.Route, r.ModuleDigest, r.ModulePath ?? r.ModuleReference, r.Entrypoint,
            r.Files?.ToDictionary(f => f.Key, f => f.Value.Description, StringComparer.Ordinal)))],
        [],
        []);
}

/// <summary>One deployed route: its module's digest (null on a dry run of a file) and the file it came from.</summary>
/// <param name="Route">The route.</param>
/// <param name="Module">The module's digest; null on a dry run of a file.</param>
/// <param name="Source">The module file it came from, or its <c>oci://</c> reference; null for a digest given as is.</param>
/// <param name="Entrypoint">The export called, when not the default.</param>
/// <param name="Files">Guest path → the bundle's digest (on a dry run: the folder or files it is packed from).</param>
internal sealed record DeployedRoute(
    string Route, string? Module, string? Source, string? Entrypoint, IReadOnlyDictionary<string, string>? Files = null);
