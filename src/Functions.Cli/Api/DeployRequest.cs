namespace Functions.Cli.Api;

/// <summary>The body of <c>PUT /api/v1/apps/{name}</c>: every route of the new release.</summary>
internal sealed record DeployRequest(IReadOnlyList<RouteRequest> Routes);

/// <summary>One route binding to deploy; null fields take the control plane's defaults.</summary>
internal sealed record RouteRequest
{
    public required string Route { get; init; }

    /// <summary>The module's digest, <c>sha256:&lt;hex&gt;</c>.</summary>
    public required string Module { get; init; }

    public string? Entrypoint { get; init; }

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    public string? Argv { get; init; }

    public IReadOnlyDictionary<string, VolumeRequest>? Volumes { get; init; }

    public LimitsRequest? Limits { get; init; }

    /// <summary>Guest path → digest of a stored file bundle, mounted read-only.</summary>
    public IReadOnlyDictionary<string, string>? Files { get; init; }
}

/// <summary>A host directory for a guest path; read-only unless <see cref="Writable"/>.</summary>
internal sealed record VolumeRequest(string Path, bool Writable);

/// <summary>Per-route limits; each null one takes its default on the control plane.</summary>
internal sealed record LimitsRequest
{
    public int? TimeoutMs { get; init; }

    public int? MemoryMb { get; init; }

    public long? MaxBodyBytes { get; init; }

    public int? MaxConcurrency { get; init; }
}
