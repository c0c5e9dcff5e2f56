using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Functions.Oci;

/// <summary>
/// Parses "HOST[:PORT]/REPO[:TAG]", "HOST/REPO@sha256:HEX", "HOST/REPO:TAG@sha256:HEX", optional "oci://" prefix.
/// A reference must name its registry host (no Docker Hub default); no tag and no digest means tag "latest".
/// </summary>
public sealed partial record OciReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string Scheme = "oci://";
    public const string DefaultTag = "latest";

    private const string Example = "e.g. registry.example.com/team/hello:1.0, 127.0.0.1:5000/hello@sha256:… or oci://…";

    public static bool TryParse(string text, [NotNullWhen(true)] out OciReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = Validate(text, out var parsed);
        reference = parsed;
        return error is null;
    }

    /// <exception cref="OciException">Kind <see cref="OciErrorKind.InvalidReference"/>, saying what is wrong.</exception>
    public static OciReference Parse(string text) =>
        TryParse(text, out var reference, out var error)
            ? reference
            : throw new OciException(OciErrorKind.InvalidReference, "", error);

    /// <summary>The tag or digest a manifest request names: the digest when there is one.</summary>
    public string ManifestReference => Digest ?? Tag ?? DefaultTag;

    /// <summary>Canonical, without "oci://".</summary>
    public override string ToString() =>
        $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    private static string? Validate(string? text, out OciReference? reference)
    {
        reference = null;
        var rest = text?.Trim() ?? "";
        if (rest.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            rest = rest[Scheme.Length..];
        }

        if (rest.Length == 0)
        {
            return $"The OCI reference is empty: name a registry, a repository and a tag or digest, {Example}.";
        }

        if (rest.Contains("://", StringComparison.Ordinal))
        {
            return $"'{text}' has a URL scheme: write the reference without http:// or https:// ({Example}); plain HTTP registries are listed as insecure in the settings.";
        }

        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!DigestPattern().IsMatch(digest))
            {
                return $"'{digest}' in '{text}' is not a sha256 digest: write sha256: followed by 64 lowercase hex digits.";
            }
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return $"'{text}' names no registry: a reference starts with the registry host, {Example} (there is no Docker Hub default).";
        }

        var registry = rest[..slash];
        var path = rest[(slash + 1)..];
        if (!LooksLikeHost(registry))
        {
            return $"'{registry}' in '{text}' is not a registry host: a reference starts with the registry (a name with a dot or a port, localhost, or an IP address), {Example} (there is no Docker Hub default).";
        }

        if (!HostPattern().IsMatch(registry))
        {
            return $"'{registry}' in '{text}' is not a valid registry host[:port].";
        }

        string? tag = null;
        var colon = path.LastIndexOf(':');
        if (colon > path.LastIndexOf('/'))
        {
            tag = path[(colon + 1)..];
            path = path[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                return $"'{tag}' in '{text}' is not a valid tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.";
            }
        }

        if (path.Length == 0 || path.Length > 255 || !RepositoryPattern().IsMatch(path))
        {
            return $"'{path}' in '{text}' is not a valid repository: lowercase letters and digits in '/'-separated parts, joined by '.', '_', '__' or '-' (at most 255 characters).";
        }

        reference = new OciReference(registry.ToLowerInvariant(), path, tag ?? (digest is null ? DefaultTag : null), digest);
        return null;
    }

    private static bool LooksLikeHost(string first) =>
        first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
        || first.Equals("localhost", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^sha256:[a-f0-9]{64}$")]
    internal static partial Regex DigestPattern();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:.]+\])(?::[0-9]{1,5})?$")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();
}
