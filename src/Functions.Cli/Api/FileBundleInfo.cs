namespace Functions.Cli.Api;

/// <summary>A stored file bundle (<c>POST /api/v1/files</c>, <c>GET /api/v1/files[/{digest}]</c>).</summary>
/// <param name="Digest"><c>sha256:&lt;hex&gt;</c> of its canonical tar.</param>
/// <param name="Size">Bytes unpacked (the sum of its file sizes).</param>
/// <param name="Files">Regular files in it.</param>
/// <param name="CreatedAt">When it was first uploaded, when the control plane says.</param>
/// <param name="Entries">Its listing, in <c>GET /api/v1/files/{digest}</c> only.</param>
internal sealed record FileBundleInfo(
    string Digest,
    long Size,
    int Files,
    DateTimeOffset? CreatedAt = null,
    IReadOnlyList<FileBundleEntry>? Entries = null);

/// <summary>One entry of a bundle's listing: <c>file</c>, <c>directory</c> or <c>symlink</c>.</summary>
internal sealed record FileBundleEntry(string Path, string Kind, int Mode, long Size, string? LinkTarget);
