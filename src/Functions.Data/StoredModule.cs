namespace Functions.Data;

/// <summary>An uploaded WebAssembly module, content-addressed by the SHA-256 of its bytes.</summary>
public sealed class StoredModule
{
    /// <summary><c>sha256:&lt;64 lowercase hex&gt;</c>.</summary>
    public required string Digest { get; init; }

    /// <summary>The module bytes: Postgres is the truth, workers fetch them by digest.</summary>
    public required byte[] Content { get; init; }

    public required long Size { get; init; }

    public required DateTimeOffset UploadedAt { get; init; }

    /// <summary>Every exported function, in export order.</summary>
    public required List<string> Exports { get; init; }

    /// <summary>The exported functions that take no parameters and return nothing: the usable entrypoints.</summary>
    public required List<string> Entrypoints { get; init; }

    /// <summary>Every import as <c>module</c>/<c>name</c>/<c>kind</c>.</summary>
    public required List<ModuleImport> Imports { get; init; }

    /// <summary>The OCI reference the module was last pulled from; null for an upload.</summary>
    public string? SourceReference { get; init; }

    /// <summary>The manifest digest <see cref="SourceReference"/> resolved to at that pull.</summary>
    public string? SourceManifestDigest { get; init; }

    /// <summary>When that pull happened.</summary>
    public DateTimeOffset? SourcePulledAt { get; init; }
}

/// <summary>One import of a module: the module it comes from, its name and what kind of thing it is.</summary>
public sealed record ModuleImport(string Module, string Name, string Kind);
