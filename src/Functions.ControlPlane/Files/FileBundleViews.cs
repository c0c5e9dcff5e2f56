using System.Linq.Expressions;
using Functions.Data;
using Functions.Files;

namespace Functions.ControlPlane.Files;

/// <summary>The server side of the file views: from stored bundles and from an upload being stored.</summary>
internal static class FileBundleViews
{
    /// <summary>The one mapping from a stored bundle, as an expression so queries project it.</summary>
    public static readonly Expression<Func<FileBundle, FileBundleView>> Projection = b => new()
    {
        Digest = b.Digest,
        Size = b.UnpackedSize,
        Files = b.FileCount,
        Entries = b.EntryCount,
        CanonicalSize = b.CanonicalSize,
        CreatedAt = b.CreatedAt,
    };

    public static string KindName(BundleEntryKind kind) => kind switch
    {
        BundleEntryKind.File => "file",
        BundleEntryKind.Directory => "directory",
        BundleEntryKind.Symlink => "symlink",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static FileBundleView From(BundleSummary summary, long canonicalSize, DateTimeOffset createdAt) => new()
    {
        Digest = summary.Digest,
        Size = summary.UnpackedBytes,
        Files = summary.FileCount,
        Entries = summary.Entries.Count,
        CanonicalSize = canonicalSize,
        CreatedAt = createdAt,
    };
}
