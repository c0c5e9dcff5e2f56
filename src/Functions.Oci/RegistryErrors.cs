using System.Net;
using System.Text;
using System.Text.Json;

namespace Functions.Oci;

/// <summary>Turns a registry's error answer (distribution spec: <c>{"errors":[{"code","message"}]}</c>) into an <see cref="OciException"/>.</summary>
internal static class RegistryErrors
{
    private const int MaxErrorBody = 16 * 1024;

    public static async Task<OciException> FromResponseAsync(HttpResponseMessage response, string registry, string what, CancellationToken cancel)
    {
        var (code, detail) = await ReadErrorAsync(response, cancel).ConfigureAwait(false);
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        var said = detail is null ? status : $"{status}: {detail}";
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => new OciException(OciErrorKind.NotFound, registry, NotFoundMessage(code, registry, what, said)),
            HttpStatusCode.Unauthorized => new OciException(OciErrorKind.Unauthorized, registry,
                $"Registry {registry} refused {what} ({said}). {CredentialHint(registry)}"),
            HttpStatusCode.Forbidden => new OciException(OciErrorKind.Denied, registry,
                $"Registry {registry} denied {what} ({said}): the login has no right to do this. {CredentialHint(registry)}"),
            _ => new OciException(OciErrorKind.Protocol, registry, $"Registry {registry} failed {what} ({said})."),
        };
    }

    public static string CredentialHint(string registry) =>
        $"Check the credentials for '{registry}' (control plane: Functions:Registries:Credentials:{registry}; CLI: FUNCTIONS_REGISTRY_USERNAME and FUNCTIONS_REGISTRY_PASSWORD, or ~/.docker/config.json).";

    private static string NotFoundMessage(string? code, string registry, string what, string said) => code switch
    {
        "NAME_UNKNOWN" => $"Registry {registry} has no such repository ({what}: {said}). Check the repository name in the reference.",
        // distribution answers MANIFEST_UNKNOWN for a repository it never had, too.
        "MANIFEST_UNKNOWN" => $"Registry {registry} has no {what} ({said}). Check the repository and the tag or digest in the reference.",
        "BLOB_UNKNOWN" => $"Registry {registry} lacks a blob its manifest names ({what}: {said}). Push the artifact again.",
        _ => $"Registry {registry} found nothing for {what} ({said}). Check the repository and tag or digest in the reference.",
    };

    private static async Task<(string? Code, string? Detail)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBody];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancel).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length == 0)
            {
                return (null, null);
            }

            try
            {
                using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
                if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                    && errors.GetArrayLength() > 0)
                {
                    var first = errors[0];
                    var code = first.TryGetProperty("code", out var c) ? c.GetString() : null;
                    var message = first.TryGetProperty("message", out var m) ? m.GetString() : null;
                    return (code, string.Join(' ', new[] { code, message }.Where(s => !string.IsNullOrEmpty(s))));
                }
            }
            catch (JsonException)
            {
                // Not the distribution error format: show the start of the text.
            }

            var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(length, 300)).Trim();
            return (null, text.Length == 0 ? null : text);
        }
        catch (HttpRequestException)
        {
            return (null, null);
        }
        catch (IOException)
        {
            return (null, null);
        }
    }
}
