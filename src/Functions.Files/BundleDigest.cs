using Functions.Contracts;

namespace Functions.Files;

/// <summary>Bundle identity: the <see cref="ContentDigest"/> of the canonical tar.</summary>
public static class BundleDigest
{
    public const string Prefix = ContentDigest.Prefix;

    public const string FormatHint = "a bundle digest is 'sha256:' followed by 64 hex digits, as returned by POST /api/v1/files";

    /// <summary>Accepts <c>sha256:&lt;hex&gt;</c> or the bare hex, any case; null when it is neither.</summary>
    public static string? Normalize(string? text) => ContentDigest.Normalize(text);

    /// <summary>The digest of a finished SHA-256 hash.</summary>
    public static string FromHash(ReadOnlySpan<byte> sha256) => ContentDigest.FromHash(sha256);

    /// <summary>The 64 hex digits of a normalized digest (for file names).</summary>
    public static string Hex(string digest) =>
        Normalize(digest) is not null ? ContentDigest.Hex(digest) : throw new ArgumentException(FormatHint, nameof(digest));
}
