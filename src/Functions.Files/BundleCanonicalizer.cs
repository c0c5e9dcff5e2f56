namespace Functions.Files;

/// <summary>Turns an uploaded tar (or gzip-compressed tar) into the canonical bundle tar, validating it on the way.</summary>
public static class BundleCanonicalizer
{
    /// <summary>
    /// Reads a tar, or a gzip-compressed tar (detected by its magic bytes 1f 8b), validates it and writes the canonical
    /// tar to <paramref name="destination"/>. The decompressed tar is spooled to a temporary file under
    /// <paramref name="scratchDirectory"/> (deleted afterwards). Throws <see cref="BundleFormatException"/> for anything
    /// that is not an acceptable bundle, with a message that says what to fix.
    /// </summary>
    public static Task<BundleSummary> CanonicalizeAsync(Stream archive, Stream destination, BundleLimits limits,
        string scratchDirectory, CancellationToken cancellationToken) => throw new NotImplementedException();
}
