namespace Functions.Files;

/// <summary>
/// How much one uploaded archive may hold. <see cref="MaxArchiveBytes"/> counts the bytes read from the upload as sent
/// (compressed); <see cref="MaxUnpackedBytes"/> sums the regular files' sizes; <see cref="MaxEntries"/> counts every
/// entry (files, directories, links).
/// </summary>
public sealed record BundleLimits(long MaxArchiveBytes, long MaxUnpackedBytes, int MaxEntries)
{
    public static BundleLimits Default { get; } = new(256L << 20, 1L << 30, 100_000);

    /// <summary>The configuration keys that raise each limit, named in the error messages.</summary>
    public const string MaxArchiveBytesSetting = "Functions:Files:MaxArchiveBytes";
    public const string MaxUnpackedBytesSetting = "Functions:Files:MaxUnpackedBytes";
    public const string MaxEntriesSetting = "Functions:Files:MaxEntries";
}
