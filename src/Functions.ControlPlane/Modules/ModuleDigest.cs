using Functions.Contracts;

namespace Functions.ControlPlane.Modules;

/// <summary>Module identity: the <see cref="ContentDigest"/> of the module's bytes.</summary>
public static class ModuleDigest
{
    public const string Prefix = ContentDigest.Prefix;

    public static string Of(ReadOnlySpan<byte> bytes) => ContentDigest.Of(bytes);

    /// <summary>Accepts <c>sha256:&lt;hex&gt;</c> or the bare hex, any case; null when it is neither.</summary>
    public static string? Normalize(string? text) => ContentDigest.Normalize(text);

    public const string FormatHint = "a digest is 'sha256:' followed by 64 hex digits, as returned by POST /api/v1/modules";
}
