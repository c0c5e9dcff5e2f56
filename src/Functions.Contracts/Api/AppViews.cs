namespace Functions.Contracts.Api;

/// <summary>The answer to a deploy or rollback: which release is now active, at which generation.</summary>
/// <param name="App">The application.</param>
/// <param name="Version">The release now active.</param>
/// <param name="Generation">The global generation of this activation; workers report it in the rollout.</param>
public sealed record Activation(string App, int Version, long Generation);

/// <summary>The body of <c>POST /api/v1/apps/{name}/rollback</c>.</summary>
public sealed record RollbackRequest
{
    /// <summary>The release to activate again.</summary>
    /// <example>3</example>
    public int? Version { get; init; }
}

/// <summary>An application in the list.</summary>
public sealed record AppSummary(
    string Name, int? ActiveVersion, long Generation, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt);

/// <summary>An application with its active release.</summary>
public sealed record AppView(
    string Name, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, long Generation, ReleaseView? ActiveRelease);

/// <summary>A release in the history.</summary>
public sealed record ReleaseSummary(int Version, DateTimeOffset CreatedAt, long Generation, bool Active, int RouteCount);

/// <summary>One release with its route bindings.</summary>
/// <param name="App">The application.</param>
/// <param name="Version">Release number, from 1.</param>
/// <param name="CreatedAt">When it was deployed.</param>
/// <param name="Generation">The generation at which it was first activated.</param>
/// <param name="Active">Whether it is the application's active release.</param>
/// <param name="Routes">Its route bindings, in the order they were deployed.</param>
public sealed record ReleaseView(
    string App, int Version, DateTimeOffset CreatedAt, long Generation, bool Active, IReadOnlyList<RouteView> Routes);

/// <summary>One route binding of a release, with defaults filled in.</summary>
/// <param name="Route">The route pattern.</param>
/// <param name="Module">Digest of the module.</param>
/// <param name="Entrypoint">The export called.</param>
/// <param name="Environment">Variables set on the binding.</param>
/// <param name="Argv">The argv template, or null for the WAGI default.</param>
/// <param name="Volumes">Host directories mounted.</param>
/// <param name="Limits">Resource limits.</param>
/// <param name="Files">Guest path → digest of the file bundle mounted read-only there, by guest path.</param>
public sealed record RouteView(
    string Route,
    string Module,
    string Entrypoint,
    IReadOnlyDictionary<string, string> Environment,
    string? Argv,
    IReadOnlyList<VolumeMount> Volumes,
    RouteLimits Limits,
    IReadOnlyDictionary<string, string> Files)
{
    /// <summary>Origins the function may call over HTTP, normalised; empty: no network.</summary>
    /// <example>["https://api.example.com"]</example>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>Most outbound HTTP requests of the route in flight at once on one worker.</summary>
    /// <example>8</example>
    public int MaxOutboundConcurrency { get; init; } = OutboundOrigins.DefaultMaxConcurrency;
}
