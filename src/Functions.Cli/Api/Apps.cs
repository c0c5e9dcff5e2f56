using Functions.Contracts;

namespace Functions.Cli.Api;

/// <summary>An application in <c>GET /api/v1/apps</c>.</summary>
internal sealed record AppSummary(
    string Name, int? ActiveVersion, long Generation, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt);

/// <summary>One application with its active release (<c>GET /api/v1/apps/{name}</c>).</summary>
internal sealed record AppDetails(
    string Name, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, long Generation, ReleaseDetails? ActiveRelease);

/// <summary>A release in an application's history.</summary>
internal sealed record ReleaseSummary(int Version, DateTimeOffset CreatedAt, long Generation, bool Active, int RouteCount);

/// <summary>One release with its route bindings.</summary>
internal sealed record ReleaseDetails(
    string App, int Version, DateTimeOffset CreatedAt, long Generation, bool Active, IReadOnlyList<RouteDetails> Routes);

/// <summary>One route binding of a release, defaults filled in; <c>Files</c> maps guest paths to bundle digests.</summary>
internal sealed record RouteDetails(
    string Route,
    string Module,
    string Entrypoint,
    IReadOnlyDictionary<string, string> Environment,
    string? Argv,
    IReadOnlyList<VolumeMount> Volumes,
    RouteLimits Limits,
    IReadOnlyDictionary<string, string>? Files = null);
