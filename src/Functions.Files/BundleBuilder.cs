namespace Functions.Files;

/// <summary>Packs local files into the canonical bundle tar (for the CLI), streaming file contents from disk.</summary>
public static class BundleBuilder
{
    private static readonly BundleLimits Unlimited = new(long.MaxValue, long.MaxValue, int.MaxValue);

    /// <summary>Packs <paramref name="directory"/> recursively as the bundle root. Symlinks are kept as links when
    /// they stay inside the bundle; otherwise <see cref="BundleFormatException"/>.</summary>
    public static Task<BundleSummary> FromDirectoryAsync(string directory, Stream destination, CancellationToken ct) =>
        FromDirectoryAsync(directory, destinationRoot: null, destination, ct);

    /// <summary>Packs <paramref name="directory"/> under the bundle folder <paramref name="destinationRoot"/>
    /// (e.g. Spin's <c>{source, destination}</c>; a leading '/' is ignored); null, "" or "/" mean the bundle root.</summary>
    public static Task<BundleSummary> FromDirectoryAsync(string directory, string? destinationRoot, Stream destination,
        CancellationToken ct) =>
        FromFilesAsync([new KeyValuePair<string, string>(destinationRoot ?? "", directory)], destination, ct);

    /// <summary>Packs several (bundle path → local file or folder) pairs, e.g. Spin <c>files</c> lists and globs. A
    /// folder is packed recursively under its bundle path; a bundle path of "", "." or "/" is the root. A named path
    /// that is a link is followed; links inside folders are kept as links. The same bundle path twice is an error.</summary>
    public static async Task<BundleSummary> FromFilesAsync(IEnumerable<KeyValuePair<string, string>> bundlePathToLocalPath,
        Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bundlePathToLocalPath);
        ArgumentNullException.ThrowIfNull(destination);
        var index = new BundleIndex(Unlimited);
        foreach (var (bundlePath, localPath) in bundlePathToLocalPath)
        {
            var path = BundlePath.Normalize(bundlePath.TrimStart('/') is { Length: > 0 } relative ? relative : ".");
            var local = new FileInfo(Path.GetFullPath(localPath));
            var resolved = local.LinkTarget is null ? local : local.ResolveLinkTarget(returnFinalTarget: true) ?? local;
            if (Directory.Exists(resolved.FullName))
            {
                if (path.Length > 0)
                {
                    index.Add(new IndexedEntry(path, BundleEntryKind.Directory, 0, 0, null));
                }

                AddFolder(index, new DirectoryInfo(resolved.FullName), path);
            }
            else if (resolved.Exists)
            {
                if (path.Length == 0)
                {
                    throw new BundleFormatException($"'{localPath}' is a file; it needs a path inside the bundle, not the root.");
                }

                AddFile(index, new FileInfo(resolved.FullName), path);
            }
            else
            {
                throw new FileNotFoundException($"'{localPath}' does not exist.", localPath);
            }
        }

        var entries = index.Complete();
        var digest = await CanonicalTar.WriteAsync(entries, entry => new FileStream(entry.LocalPath!, new FileStreamOptions
        {
            Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
        }), destination, ct).ConfigureAwait(false);
        return BundleCanonicalizer.Summarize(digest, entries);
    }

    private static void AddFolder(BundleIndex index, DirectoryInfo folder, string prefix)
    {
        foreach (var item in folder.EnumerateFileSystemInfos())
        {
            var path = prefix.Length == 0 ? item.Name : $"{prefix}/{item.Name}";
            BundlePath.Normalize(path); // name length and form
            if (item.LinkTarget is { } target)
            {
                index.Add(new IndexedEntry(path, BundleEntryKind.Symlink, 0, 0, target));
            }
            else if (item is DirectoryInfo child)
            {
                index.Add(new IndexedEntry(path, BundleEntryKind.Directory, 0, 0, null));
                AddFolder(index, child, path);
            }
            else
            {
                AddFile(index, (FileInfo)item, path);
            }
        }
    }

    private static void AddFile(BundleIndex index, FileInfo file, string path)
    {
        if (FileKind.NotRegular(file.FullName) is { } kind)
        {
            throw new BundleFormatException(
                $"'{file.FullName}' is {kind}. Bundles hold files, folders and symbolic links only: leave it out.", path);
        }

        var mode = OperatingSystem.IsWindows() ? 0x1A4 /* 0o644 */ : (int)file.UnixFileMode;
        index.Add(new IndexedEntry(path, BundleEntryKind.File, mode, file.Length, null) { LocalPath = file.FullName });
    }
}
