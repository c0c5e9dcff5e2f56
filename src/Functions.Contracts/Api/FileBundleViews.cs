namespace Functions.Contracts.Api;

/// <summary>A stored file bundle: what <c>POST /api/v1/files</c> answers and the list shows.</summary>
public sealed record FileBundleView
{
    /// <summary>Content address: SHA-256 of the bundle's canonical tar.</summary>
    /// <example>sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef</example>
    public required string Digest { get; init; }

    /// <summary>Bytes of the regular files, unpacked.</summary>
    /// <example>1048576</example>
    public required long Size { get; init; }

    /// <summary>How many regular files it has.</summary>
    /// <example>42</example>
    public required int Files { get; init; }

    /// <summary>How many entries (files, directories, links) it has.</summary>
    /// <example>50</example>
    public required int Entries { get; init; }

    /// <summary>Bytes of the canonical tar, what a worker downloads.</summary>
    /// <example>1075200</example>
    public required long CanonicalSize { get; init; }

    /// <summary>When it was first uploaded.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A stored bundle with one page of its listing, in canonical (path) order.</summary>
/// <param name="Bundle">The bundle.</param>
/// <param name="Listing">Its entries, paged with <c>pageIndex</c> and <c>pageSize</c>.</param>
public sealed record FileBundleDetail(FileBundleView Bundle, PaginatedItems<FileEntryView> Listing);

/// <summary>One entry of a bundle.</summary>
/// <param name="Path">Relative path inside the bundle, '/'-separated.</param>
/// <param name="Kind"><c>file</c>, <c>directory</c> or <c>symlink</c>.</param>
/// <param name="Mode">Permission bits as a number (420 is 0644); directories are 0755, links 0777.</param>
/// <param name="Size">Bytes of a file; 0 for directories and links.</param>
/// <param name="LinkTarget">Where a symlink points, relative to its folder; null otherwise.</param>
public sealed record FileEntryView(string Path, string Kind, int Mode, long Size, string? LinkTarget);
