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
    public static void Delete(string directory) => throw new NotImplementedException();
}
