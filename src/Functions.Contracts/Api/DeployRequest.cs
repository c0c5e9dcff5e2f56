namespace Functions.Contracts.Api;

/// <summary>The body of <c>PUT /api/v1/apps/{name}</c>: the routes of the new release.</summary>
public sealed record DeployRequest
{
    /// <summary>The route bindings of the release; at least one, each route once.</summary>
    public IReadOnlyList<RouteRequest>? Routes { get; init; }
}

/// <summary>One route binding to deploy.</summary>
public sealed record RouteRequest
{
    /// <summary>The route: <c>/exact</c>, <c>/prefix/...</c> (the prefix and everything under it) or <c>/...</c>.</summary>
    /// <example>/hello/...</example>
    public string? Route { get; init; }

    /// <summary>Digest of an uploaded module.</summary>
    /// <example>sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae</example>
    public string? Module { get; init; }

    /// <summary>The export to call for each request; <c>_start</c> when omitted.</summary>
    /// <example>_start</example>
    public string? Entrypoint { get; init; }

    /// <summary>Environment variables set before the request's CGI variables.</summary>
    /// <example>{"GREETING": "hello"}</example>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>An argv template, split on whitespace after substitution; the WAGI default when omitted.</summary>
    /// <example>${SCRIPT_NAME} ${ARGS}</example>
    public string? Argv { get; init; }

    /// <summary>
    /// Guest path → host directory under the configured volumes root: a string (read-only) or
    /// <c>{"path": "...", "writable": true}</c>.
    /// </summary>
    public IReadOnlyDictionary<string, VolumeRequest>? Volumes { get; init; }

    /// <summary>
    /// Guest path → digest of a stored file bundle (POST /api/v1/files), mounted read-only. Guest paths are absolute
    /// and normalised, and none may equal or nest inside another files or volumes guest path of the route.
    /// </summary>
    /// <example>{"/": "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"}</example>
    public IReadOnlyDictionary<string, string>? Files { get; init; }

    /// <summary>Resource limits; each omitted field takes its default.</summary>
    public LimitsRequest? Limits { get; init; }

    /// <summary>
    /// Origins the function may call over HTTP (<c>wasi_experimental_http</c>): <c>http</c> or <c>https</c>, a host and
    /// an optional port, no path, query, user name or wildcard; at most 100. Stored normalised (lowercase, default
    /// port left out, duplicates collapsed). Empty or omitted: no network at all.
    /// </summary>
    /// <example>["https://api.example.com", "http://10.0.0.5:8080"]</example>
    public IReadOnlyList<string>? AllowedHosts { get; init; }

    /// <summary>Most outbound HTTP requests of this route in flight at once on one worker, 1 – 1000; 8 when omitted.</summary>
    /// <example>8</example>
    public int? MaxOutboundConcurrency { get; init; }
}

/// <summary>Per-route limits. Defaults: 30 s, 128 MB, 10 MiB, 64.</summary>
public sealed record LimitsRequest
{
    /// <summary>Longest a request may run, 1 ms – 15 min.</summary>
    /// <example>30000</example>
    public int? TimeoutMs { get; init; }

    /// <summary>Most linear memory the module may grow to, 1 – 4096 MB.</summary>
    /// <example>128</example>
    public int? MemoryMb { get; init; }

    /// <summary>Largest request body passed on stdin, 0 – 1 GiB.</summary>
    /// <example>10485760</example>
    public long? MaxBodyBytes { get; init; }

    /// <summary>Most requests of this route run at once on one worker, 1 – 10000.</summary>
    /// <example>64</example>
    public int? MaxConcurrency { get; init; }
}
