namespace Functions.Files;

/// <summary>Unpacks a canonical bundle tar (for the worker), verifying it as it goes.</summary>
public static class BundleExtractor
{
    /// <summary>
    /// Reads a canonical tar, hashing it while extracting into <paramref name="targetDirectory"/> (which must not
    /// exist; created 0700). Files are written with their mode &amp; 0o555, directories become 0555 once filled,
    /// symlinks are created as links. Throws <see cref="BundleIntegrityException"/> when the stream is not canonical
    /// or its digest is not <paramref name="expectedDigest"/>; the caller deletes the partial directory.
    /// </summary>
    public static Task<BundleSummary> ExtractAsync(Stream canonicalTar, string targetDirectory, string expectedDigest,
        BundleLimits limits, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Deletes an extracted (or partly extracted) bundle directory: its folders are read-only (0555), so
    /// they get write permission back first. Nothing happens when <paramref name="directory"/> does not exist.</summary>
    public static void Delete(string directory)
    {
        var root = new DirectoryInfo(directory);
        if (!root.Exists || root.LinkTarget is not null)
        {
            if (root.LinkTarget is not null)
            {
                root.Delete(); // a link: remove the link, never what it points to
            }

            return;
        }

        MakeWritable(root);
        root.Delete(recursive: true);
    }

    /// <summary>Gives the owner write (and search) permission on every real folder of the tree, never following links.</summary>
    private static void MakeWritable(DirectoryInfo folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            folder.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }

        foreach (var child in folder.EnumerateDirectories())
        {
            if (child.LinkTarget is null)
            {
                MakeWritable(child);
            }
        }
    }
}
