using System.Security.Cryptography;

namespace Functions.ControlPlane.Modules;

/// <summary>Module identity: <c>sha256:</c> and the 64 lowercase hex digits of the SHA-256 of the bytes.</summary>
public static class ModuleDigest
{
    public const string Prefix = "sha256:";

    public static string Of(ReadOnlySpan<byte> bytes) => Prefix + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Accepts <c>sha256:&lt;hex&gt;</c> or the bare hex, any case; null when it is neither.</summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var hex = text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? text[Prefix.Length..] : text;
        return hex.Length == 64 && hex.All(Uri.IsHexDigit) ? Prefix + hex.ToLowerInvariant() : null;
    }

    public const string FormatHint = "a digest is 'sha256:' followed by 64 hex digits, as returned by POST /api/v1/modules";
}
