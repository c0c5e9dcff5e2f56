using System.Text;
using System.Text.Json;
using Functions.Oci;

namespace Functions.Cli.Oci;

/// <summary>
/// The login the CLI uses for a registry: <c>FUNCTIONS_REGISTRY_USERNAME</c> / <c>FUNCTIONS_REGISTRY_PASSWORD</c>, else
/// the registry's entry in Docker's <c>config.json</c> <c>auths</c> (<c>$DOCKER_CONFIG</c>, else <c>~/.docker</c>), as
/// <c>docker login</c> writes it. Credential helpers (<c>credsStore</c>) are not run.
/// </summary>
internal static class RegistryLogins
{
    public const string UsernameVariable = "FUNCTIONS_REGISTRY_USERNAME";
    public const string PasswordVariable = "FUNCTIONS_REGISTRY_PASSWORD";

    public static OciCredential? Find(Func<string, string?> environment, string registry)
    {
        var username = environment(UsernameVariable);
        var password = environment(PasswordVariable);
        if (!string.IsNullOrEmpty(username) || !string.IsNullOrEmpty(password))
        {
            return string.IsNullOrEmpty(username) || password is null
                ? throw new CliException($"Set both {UsernameVariable} and {PasswordVariable}, or neither (then ~/.docker/config.json is read).")
                : new OciCredential { Username = username, Password = password };
        }

        var folder = environment("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".docker") : null;
        var file = folder is null ? null : Path.Combine(folder, "config.json");
        return file is not null && File.Exists(file) ? FromDockerConfig(file, registry) : null;
    }

    private static OciCredential? FromDockerConfig(string file, string registry)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            if (!document.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var entry in auths.EnumerateObject())
            {
                // docker login writes "host:port"; older clients wrote "https://host:port/v1/".
                var key = entry.Name;
                key = key.Contains("://", StringComparison.Ordinal) ? new Uri(key).Authority : key.TrimEnd('/');
                if (!key.Equals(registry, StringComparison.OrdinalIgnoreCase) || entry.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (entry.Value.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
                {
                    var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2);
                    if (pair.Length == 2)
                    {
                        return new OciCredential { Username = pair[0], Password = pair[1] };
                    }
                }

                if (entry.Value.TryGetProperty("username", out var user) && entry.Value.TryGetProperty("password", out var pass))
                {
                    return new OciCredential { Username = user.GetString() ?? "", Password = pass.GetString() ?? "" };
                }
            }

            return null;
        }
        catch (Exception e) when (e is JsonException or FormatException or UriFormatException or IOException)
        {
            throw new CliException($"Cannot read the registry logins in {file}: {e.Message}. Fix the file, or set {UsernameVariable} and {PasswordVariable}.");
        }
    }
}
