using System.Security.Cryptography;

namespace Functions.Contracts;

/// <summary>
/// How the platform names content, modules and file bundles alike: <c>sha256:</c> and the 64 lowercase hex digits of
/// the SHA-256 of the bytes. The one place that writes the format; <c>ModuleDigest</c> and <c>BundleDigest</c> add
/// their own user-facing hints.
/// </summary>
public static class ContentDigest
{
    public const string Prefix = "sha256:";

    private const int HexLength = 64;

    public static string Of(ReadOnlySpan<byte> bytes) => FromHash(SHA256.HashData(bytes));

    /// <summary>The digest of the rest of <paramref name="stream"/>, read to its end.</summary>
    public static async Task<string> OfAsync(Stream stream, CancellationToken cancel = default) =>
        FromHash(await SHA256.HashDataAsync(stream, cancel).ConfigureAwait(false));

    /// <summary>The digest of a finished SHA-256 hash (32 bytes).</summary>
    public static string FromHash(ReadOnlySpan<byte> sha256) => Prefix + Convert.ToHexStringLower(sha256);

    /// <summary>Accepts <c>sha256:&lt;hex&gt;</c> or the bare hex, any case; null when it is neither.</summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var hex = text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? text[Prefix.Length..] : text;
        return hex.Length == HexLength && hex.All(char.IsAsciiHexDigit) ? Prefix + hex.ToLowerInvariant() : null;
    }

    /// <summary>Whether <paramref name="text"/> is a digest as the platform writes it (prefix and lowercase hex).</summary>
    public static bool IsValid(string? text) => text is not null && Normalize(text) == text;

    /// <summary>The 64 hex digits of a digest in any form <see cref="Normalize"/> accepts (for file names).</summary>
    public static string Hex(string digest) =>
        Normalize(digest) is { } normalized
            ? normalized[Prefix.Length..]
            : throw new ArgumentException($"'{digest}' is not a digest: '{Prefix}' followed by {HexLength} hex digits.", nameof(digest));
}
