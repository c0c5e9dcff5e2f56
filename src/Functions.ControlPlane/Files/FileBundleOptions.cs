using Functions.Files;

namespace Functions.ControlPlane.Files;

/// <summary><c>Functions:Files</c>: limits of an uploaded file bundle and where uploads are unpacked.</summary>
public sealed class FileBundleOptions
{
    /// <summary>Largest archive accepted by <c>POST /api/v1/files</c>, in bytes as sent (compressed): 256 MiB.</summary>
    public long MaxArchiveBytes { get; set; } = BundleLimits.Default.MaxArchiveBytes;

    /// <summary>Most bytes the regular files of one bundle may sum to (the decompression-bomb guard): 1 GiB.</summary>
    public long MaxUnpackedBytes { get; set; } = BundleLimits.Default.MaxUnpackedBytes;

    /// <summary>Most entries (files, directories, links) one bundle may have: 100,000.</summary>
    public int MaxEntries { get; set; } = BundleLimits.Default.MaxEntries;

    /// <summary>
    /// Folder for the temporary files of an upload (the decompressed archive and the canonical tar, deleted when the
    /// request ends); null for the system temp folder. It needs room for about twice the unpacked size per upload.
    /// </summary>
    public string? ScratchDirectory { get; set; }

    public BundleLimits Limits => new(MaxArchiveBytes, MaxUnpackedBytes, MaxEntries);

    public string Scratch => string.IsNullOrWhiteSpace(ScratchDirectory) ? Path.GetTempPath() : ScratchDirectory;
}
