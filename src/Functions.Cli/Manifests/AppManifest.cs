using Functions.Cli.Deploying;

namespace Functions.Cli.Manifests;

/// <summary>An app manifest: the application's name (which <c>--app</c> may override) and its routes.</summary>
internal sealed record AppManifest(string? App, IReadOnlyList<RoutePlan> Routes);
