namespace Functions.Cli.Api;

/// <summary>An uploaded module's metadata (<c>GET /api/v1/modules/{digest}</c>).</summary>
internal sealed record ModuleInfo
{
    public required string Digest { get; init; }

    public required long Size { get; init; }

    public DateTimeOffset UploadedAt { get; init; }

    public IReadOnlyList<string> Exports { get; init; } = [];

    public IReadOnlyList<string> Entrypoints { get; init; } = [];

    public IReadOnlyList<ModuleImportInfo> Imports { get; init; } = [];
}

/// <summary>One import of a module: <c>wasi_snapshot_preview1.fd_write</c>, a function.</summary>
internal sealed record ModuleImportInfo(string Module, string Name, string Kind);
