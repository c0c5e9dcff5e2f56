using Functions.Oci;

namespace Functions.Cli.Deploying;

/// <summary><c>oci://HOST/REPO:TAG</c> module references in manifests and on the command line.</summary>
internal static class OciModules
{
    public const string Scheme = "oci://";

    public static bool IsReference(string module) => module.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>The canonical <c>oci://</c> form, or null with what is wrong.</summary>
    public static string? Normalize(string module, out string? error)
    {
        if (!OciReference.TryParse(module, out var reference, out error))
        {
            error = $"'{module}' is not an OCI reference ({error?.TrimEnd('.')}): write oci://HOST[:PORT]/REPOSITORY[:TAG] " +
                "or oci://HOST[:PORT]/REPOSITORY@sha256:HEX; the registry host is required.";
            return null;
        }

        return Scheme + reference!;
    }
}
