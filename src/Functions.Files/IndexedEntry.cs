using System.Text;

namespace Functions.Files;

/// <summary>An entry while a bundle is being put together: its metadata and where its bytes are.</summary>
internal sealed class IndexedEntry(string path, BundleEntryKind kind, int mode, long size, string? linkTarget)
{
    public string Path { get; } = path;
    public byte[] Utf8Path { get; } = Encoding.UTF8.GetBytes(path);
    public BundleEntryKind Kind { get; } = kind;

    /// <summary>Canonical permission bits: files as given (&amp; 0o777), folders 0o755, links 0o777.</summary>
    public int Mode { get; } = kind switch
    {
        BundleEntryKind.Directory => 0x1ED, // 0o755
        BundleEntryKind.Symlink => 0x1FF, // 0o777
        _ => mode & 0x1FF,
    };

    public long Size { get; } = kind == BundleEntryKind.File ? size : 0;
    public string? LinkTarget { get; } = kind == BundleEntryKind.Symlink ? linkTarget : null;

    /// <summary>Where the file's bytes start in the canonicalizer's spool file.</summary>
    public long DataOffset { get; init; }

    /// <summary>The file on disk holding the bytes (the builder).</summary>
    public string? LocalPath { get; init; }

    public BundleEntry ToBundleEntry() => new(Path, Kind, Mode, Size, LinkTarget);

    public static IComparer<IndexedEntry> ByPath { get; } =
        Comparer<IndexedEntry>.Create((a, b) => BundlePath.Compare(a.Utf8Path, b.Utf8Path));
}
