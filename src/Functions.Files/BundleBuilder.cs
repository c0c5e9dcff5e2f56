namespace Functions.Files;

/// <summary>Packs local files into the canonical bundle tar (for the CLI), streaming file contents from disk.</summary>
public static class BundleBuilder
{
    /// <summary>Packs <paramref name="directory"/> recursively as the bundle root. Symlinks are kept as links when
    /// they stay inside the directory; otherwise <see cref="BundleFormatException"/>.</summary>
    public static Task<BundleSummary> FromDirectoryAsync(string directory, Stream destination, CancellationToken ct) =>
        FromDirectoryAsync(directory, destinationRoot: null, destination, ct);

    /// <summary>Packs <paramref name="directory"/> under the bundle folder <paramref name="destinationRoot"/>
    /// (e.g. Spin's <c>{source, destination}</c>); null or empty means the bundle root.</summary>
    public static Task<BundleSummary> FromDirectoryAsync(string directory, string? destinationRoot, Stream destination,
        CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Packs several (bundle path → local file or folder) pairs, e.g. Spin <c>files</c> lists and globs. A
    /// folder is packed recursively under its bundle path; a bundle path of "" or "." is the root.</summary>
    public static Task<BundleSummary> FromFilesAsync(IEnumerable<KeyValuePair<string, string>> bundlePathToLocalPath,
        Stream destination, CancellationToken ct) => throw new NotImplementedException();
}
