namespace Functions.Data;

/// <summary>
/// An uploaded file bundle, content-addressed by the SHA-256 of its canonical tar. The tar itself is in
/// <see cref="FileBundleChunk"/> rows, its listing in <see cref="FileBundleEntry"/> rows; both go with the bundle.
/// </summary>
public sealed class FileBundle
{
    /// <summary><c>sha256:&lt;64 lowercase hex&gt;</c> of the canonical tar.</summary>
    public required string Digest { get; init; }

    /// <summary>The sum of the regular files' sizes.</summary>
    public required long UnpackedSize { get; init; }

    /// <summary>How many regular files it has.</summary>
    public required int FileCount { get; init; }

    /// <summary>How many entries (files, directories, links) it has.</summary>
    public required int EntryCount { get; init; }

    /// <summary>The length of the canonical tar, what a download sends.</summary>
    public required long CanonicalSize { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One slice of a bundle's canonical tar; <see cref="Index"/> 0, 1, … in order.</summary>
public sealed class FileBundleChunk
{
    public required string Digest { get; init; }

    public required int Index { get; init; }

    public required byte[] Data { get; init; }
}

/// <summary>One entry of a bundle's listing, at its place (<see cref="Ordinal"/>) in the canonical order.</summary>
public sealed class FileBundleEntry
{
    public required string Digest { get; init; }

    public required int Ordinal { get; init; }

    /// <summary>Relative, '/'-separated, no trailing '/'.</summary>
    public required string Path { get; init; }

    /// <summary><c>file</c>, <c>directory</c> or <c>symlink</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Permission bits.</summary>
    public required int Mode { get; init; }

    public required long Size { get; init; }

    public string? LinkTarget { get; init; }
}

/// <summary>
/// A bundle mounted by a route of a release. Its foreign key to the bundle is <c>ON DELETE RESTRICT</c>: a bundle any
/// release (active or not) mounts cannot be deleted, so a rollback always finds its files.
/// </summary>
public sealed class ReleaseRouteFile
{
    public long ReleaseRouteId { get; init; }

    /// <summary>Position in the route's <c>files</c>, sorted by guest path.</summary>
    public required int Ordinal { get; init; }

    /// <summary>Absolute, normalised guest path.</summary>
    public required string GuestPath { get; init; }

    public required string BundleDigest { get; init; }
}
