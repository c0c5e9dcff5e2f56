namespace Functions.Files;

public enum BundleEntryKind { File, Directory, Symlink }

/// <summary>One entry of a bundle. <paramref name="Path"/> is relative, '/'-separated, without leading './' or '/' and
/// without trailing '/'. <paramref name="Mode"/> is the permission bits (0o755 for directories, 0o777 for links).
/// <paramref name="Size"/> is 0 for directories and links.</summary>
public sealed record BundleEntry(string Path, BundleEntryKind Kind, int Mode, long Size, string? LinkTarget);

/// <summary>A canonical bundle: its digest, the sum of its regular files' sizes, how many regular files it has, and its
/// entries in canonical (ordinal path) order.</summary>
public sealed record BundleSummary(string Digest, long UnpackedBytes, int FileCount, IReadOnlyList<BundleEntry> Entries);
