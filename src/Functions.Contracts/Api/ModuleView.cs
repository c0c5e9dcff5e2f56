namespace Functions.Contracts.Api;

/// <summary>An uploaded module's metadata.</summary>
public sealed record ModuleView
{
    /// <summary>Content address of the module.</summary>
    /// <example>sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae</example>
    public required string Digest { get; init; }

    /// <summary>Size in bytes.</summary>
    /// <example>48213</example>
    public required long Size { get; init; }

    /// <summary>When the module was first uploaded.</summary>
    public required DateTimeOffset UploadedAt { get; init; }

    /// <summary>Every exported function.</summary>
    /// <example>["_start", "_routes"]</example>
    public required IReadOnlyList<string> Exports { get; init; }

    /// <summary>The exported functions usable as an entrypoint (no parameters, no results).</summary>
    /// <example>["_start", "_routes"]</example>
    public required IReadOnlyList<string> Entrypoints { get; init; }

    /// <summary>What the module imports.</summary>
    public required IReadOnlyList<ModuleImport> Imports { get; init; }

    /// <summary>Where the module was last pulled from (<c>POST /api/v1/modules/pull</c>); null for an upload.</summary>
    public ModuleSource? Source { get; init; }
}

/// <summary>
/// The OCI reference a module was pulled from, the manifest digest that reference resolved to, and when.
/// </summary>
public sealed record ModuleSource(string Reference, string ManifestDigest, DateTimeOffset PulledAt);

/// <summary>One import of a module: the module it comes from, its name and what kind of thing it is.</summary>
public sealed record ModuleImport(string Module, string Name, string Kind);
