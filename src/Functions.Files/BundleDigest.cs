using System.Security.Cryptography;

namespace Functions.Files;

/// <summary>Bundle identity: <c>sha256:</c> and the 64 lowercase hex digits of the SHA-256 of the canonical tar.</summary>
public static class BundleDigest
{
    public const string Prefix = "sha256:";

    public const string FormatHint = "a bundle digest is 'sha256:' followed by 64 hex digits, as returned by POST /api/v1/files";

    /// <summary>Accepts <c>sha256:&lt;hex&gt;</c> or the bare hex, any case; null when it is neither.</summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var hex = text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? text[Prefix.Length..] : text;
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? Prefix + hex.ToLowerInvariant() : null;
    }

    /// <summary>The digest of a finished SHA-256 hash.</summary>
    public static string FromHash(ReadOnlySpan<byte> sha256) => Prefix + Convert.ToHexStringLower(sha256);

    /// <summary>The 64 hex digits of a normalized digest (for file names).</summary>
    public static string Hex(string digest) =>
        Normalize(digest) is { } normalized ? normalized[Prefix.Length..] : throw new ArgumentException(FormatHint, nameof(digest));

    internal static string Of(IncrementalHash hash) => FromHash(hash.GetHashAndReset());
}
