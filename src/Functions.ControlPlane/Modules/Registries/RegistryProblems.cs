using Functions.Oci;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Functions.ControlPlane.Modules.Registries;

/// <summary>
/// The one table from a registry failure to a problem document (docs/oci.md lists it): the status, a title, and the
/// client's message, which names the registry and what to fix; where it does not name the configuration key an
/// operator changes, that is added. The <c>registry</c> and <c>reason</c> extensions carry the host and the kind.
/// </summary>
internal static class RegistryProblems
{
    public static ProblemHttpResult From(OciException e, long maxModuleBytes)
    {
        var host = e.Registry;
        var (status, title, hint) = e.Kind switch
        {
            OciErrorKind.InvalidReference => (400, "Invalid reference",
                "Give HOST[:PORT]/REPOSITORY[:TAG] or HOST[:PORT]/REPOSITORY@sha256:HEX; the registry host is required."),
            OciErrorKind.InsecureNotAllowed => (400, "Plain HTTP is not allowed for this registry",
                $"Registries are spoken to over HTTPS; an operator allows plain HTTP to '{host}' by listing it in " +
                $"{RegistrySettingsSetup.Section}:Insecure."),
            OciErrorKind.NotFound => (404, "Not found in the registry",
                "Check the repository and the tag or digest; push the module first (functions push MODULE.wasm REFERENCE)."),
            OciErrorKind.Unreachable => (502, "Registry unreachable",
                $"The registry '{host}' could not be reached: check the reference's host and port, and that the control " +
                "plane can reach it."),
            OciErrorKind.Unauthorized => (502, "The registry refused the credentials",
                $"The control plane's credentials for '{host}' come from its configuration, never from the request: an " +
                $"operator sets {CredentialKey(host)}:Username and :Password."),
            OciErrorKind.Denied => (502, "The registry denied access",
                $"The login configured under {CredentialKey(host)} needs pull access to this repository."),
            OciErrorKind.Protocol => (502, "The registry's answer was not understood",
                $"Check that '{host}' is an OCI distribution registry."),
            OciErrorKind.UnsupportedManifest or OciErrorKind.NoWasmLayer => (422,
                e.Kind == OciErrorKind.NoWasmLayer ? "No WebAssembly layer" : "Unsupported manifest",
                $"A module is an image manifest with one layer of {OciMediaTypes.WasmLayer} or " +
                $"{OciMediaTypes.WasmToOciLayer}, or a single {OciMediaTypes.PlainWasm} layer: push it with " +
                "functions push MODULE.wasm REFERENCE."),
            OciErrorKind.DigestMismatch or OciErrorKind.SizeMismatch => (422,
                e.Kind == OciErrorKind.DigestMismatch ? "Digest mismatch" : "Size mismatch",
                "What the registry served does not match its manifest, so nothing was stored: push the module again, " +
                "or check the registry's storage."),
            OciErrorKind.TooLarge => (413, "The module is too large",
                $"Modules may be at most {maxModuleBytes} bytes ({maxModuleBytes / (1024.0 * 1024.0):0.#} MiB): an " +
                "operator raises Functions:MaxModuleBytes, or shrink the module (wasm-strip, wasm-opt -Os)."),
            _ => (502, "Registry error", $"Registry '{host}' failed."),
        };

        var message = e.Message.TrimEnd();
        var detail = (status == 502 && !message.Contains(host, StringComparison.OrdinalIgnoreCase)
            ? $"Registry '{host}': {message}"
            : message);
        if (!Covers(message, hint))
        {
            detail = $"{detail.TrimEnd('.')}. {hint}";
        }

        return TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Extensions = { ["registry"] = host, ["reason"] = e.Kind.ToString() },
        });
    }

    /// <summary><c>Functions:Registries:Credentials:HOST[:PORT]</c> (a port is a level of its own; see RegistrySettingsSetup).</summary>
    public static string CredentialKey(string host) => $"{RegistrySettingsSetup.Section}:Credentials:{host}";

    // The client's own message may already name the key or the command the hint would add.
    private static bool Covers(string message, string hint) =>
        (hint.Contains(RegistrySettingsSetup.Section, StringComparison.Ordinal) &&
            message.Contains(RegistrySettingsSetup.Section, StringComparison.Ordinal)) ||
        (hint.Contains("Functions:MaxModuleBytes", StringComparison.Ordinal) &&
            message.Contains("Functions:MaxModuleBytes", StringComparison.Ordinal));
}
