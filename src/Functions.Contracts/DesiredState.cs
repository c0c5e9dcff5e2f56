namespace Functions.Contracts;

/// <summary>Everything every worker should serve at one generation: all routes of all active releases.</summary>
public sealed record DesiredState(long Generation, IReadOnlyList<RouteBinding> Routes);

/// <summary>One route of an active release, with everything a worker needs to serve it.</summary>
/// <param name="App">The application the route belongs to.</param>
/// <param name="Release">The application's active release version.</param>
/// <param name="Route">The route pattern: <c>/exact</c>, <c>/prefix/...</c> or <c>/...</c>.</param>
/// <param name="ModuleDigest"><c>sha256:&lt;hex&gt;</c> of the module bytes.</param>
/// <param name="Entrypoint">The export to call, <c>_start</c> unless the binding named another.</param>
/// <param name="Environment">Variables configured on the binding.</param>
/// <param name="Argv">An argv template such as <c>${SCRIPT_NAME} ${ARGS}</c>, or null for the WAGI default.</param>
/// <param name="Volumes">Guest path → host directory mappings.</param>
/// <param name="Limits">Resource limits of the binding.</param>
/// <param name="ModuleExports">The module's exported functions, so workers know about <c>_routes</c>.</param>
/// <param name="Files">Stored file bundles mounted read-only; null or empty when the route has none.</param>
/// <param name="AllowedHosts">Normalised origins the function may call over HTTP; null or empty: no network.</param>
/// <param name="MaxOutboundConcurrency">Outbound HTTP requests in flight at once on one worker; null: the default (8).</param>
public sealed record RouteBinding(
    string App,
    int Release,
    string Route,
    string ModuleDigest,
    string Entrypoint,
    IReadOnlyDictionary<string, string> Environment,
    string? Argv,
    IReadOnlyList<VolumeMount> Volumes,
    RouteLimits Limits,
    IReadOnlyList<string> ModuleExports,
    IReadOnlyList<FileMount>? Files = null,
    IReadOnlyList<string>? AllowedHosts = null,
    int? MaxOutboundConcurrency = null);

/// <summary>A stored file bundle visible read-only to the module at <paramref name="GuestPath"/>.</summary>
/// <param name="GuestPath">Absolute, normalised guest path such as <c>/</c> or <c>/static</c>.</param>
/// <param name="Digest"><c>sha256:&lt;hex&gt;</c> of the bundle's canonical tar.</param>
public sealed record FileMount(string GuestPath, string Digest);

/// <summary>A host directory visible to the module at <paramref name="GuestPath"/>.</summary>
public sealed record VolumeMount(string GuestPath, string HostPath, bool Writable);

/// <summary>Per-binding limits; the defaults are the WAGI.md contract's.</summary>
public sealed record RouteLimits(int TimeoutMs, int MemoryMb, long MaxBodyBytes, int MaxConcurrency)
{
    public const int DefaultTimeoutMs = 30_000;
    public const int DefaultMemoryMb = 128;
    public const long DefaultMaxBodyBytes = 10L * 1024 * 1024;
    public const int DefaultMaxConcurrency = 64;

    public static RouteLimits Default { get; } =
        new(DefaultTimeoutMs, DefaultMemoryMb, DefaultMaxBodyBytes, DefaultMaxConcurrency);
}
