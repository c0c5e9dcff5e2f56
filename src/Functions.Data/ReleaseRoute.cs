namespace Functions.Data;

/// <summary>
/// One route binding inside a release. No foreign key to the module: an inactive release may outlive a deleted
/// module (rolling back to it then asks for the module to be uploaded again); <see cref="ActiveRoute"/> holds the
/// foreign key that keeps modules of active releases from being deleted.
/// </summary>
public sealed class ReleaseRoute
{
    public long Id { get; init; }

    public long ReleaseId { get; init; }

    /// <summary>Position of the binding in the deploy request, so a release reads back as it was written.</summary>
    public required int Ordinal { get; init; }

    public required string Route { get; init; }

    public required string ModuleDigest { get; init; }

    public required string Entrypoint { get; init; }

    public required Dictionary<string, string> Environment { get; init; }

    public string? Argv { get; init; }

    public required List<VolumeBinding> Volumes { get; init; }

    /// <summary>File bundles mounted read-only, by guest path.</summary>
    public List<ReleaseRouteFile> Files { get; init; } = [];

    public required int TimeoutMs { get; init; }

    public required int MemoryMb { get; init; }

    public required long MaxBodyBytes { get; init; }

    public required int MaxConcurrency { get; init; }

    /// <summary>Normalised origins the function may call over HTTP, in the order deployed; empty: no network.</summary>
    public List<string> AllowedHosts { get; init; } = [];

    /// <summary>Outbound HTTP requests of the route in flight at once on one worker (the default, 8, for releases older
    /// than the setting: the migration's column default).</summary>
    public int MaxOutboundConcurrency { get; init; } = 8;
}

/// <summary>A host directory (already resolved under the volumes root) visible to the module at a guest path.</summary>
public sealed record VolumeBinding(string GuestPath, string HostPath, bool Writable);
