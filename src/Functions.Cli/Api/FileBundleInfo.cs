namespace Functions.Cli.Api;

/// <summary>A stored file bundle (<c>POST /api/v1/files</c>, <c>GET /api/v1/files</c>).</summary>
/// <param name="Digest"><c>sha256:&lt;hex&gt;</c> of its canonical tar.</param>
/// <param name="Size">Bytes unpacked (the sum of its file sizes).</param>
/// <param name="Files">Regular files in it.</param>
/// <param name="Entries">Entries in it: files, directories and links.</param>
/// <param name="CanonicalSize">Bytes of its canonical tar, what a worker downloads.</param>
/// <param name="CreatedAt">When it was first uploaded.</param>
internal sealed record FileBundleInfo(string Digest, long Size, int Files, int Entries, long CanonicalSize, DateTimeOffset CreatedAt);

/// <summary>One bundle with a page of its listing (<c>GET /api/v1/files/{digest}</c>).</summary>
internal sealed record FileBundleDetail(FileBundleInfo Bundle, Page<FileBundleEntry> Listing);

/// <summary>One entry of a bundle's listing: <c>file</c>, <c>directory</c> or <c>symlink</c>.</summary>
internal sealed record FileBundleEntry(string Path, string Kind, int Mode, long Size, string? LinkTarget);
