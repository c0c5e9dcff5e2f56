using System.Globalization;
using Functions.Oci;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Modules.Registries;

/// <summary>Refuses to start with registry settings that cannot work, naming the key to fix.</summary>
internal sealed class RegistrySettingsValidator : IValidateOptions<OciRegistrySettings>
{
    private const string Section = RegistrySettingsSetup.Section;

    public ValidateOptionsResult Validate(string? name, OciRegistrySettings options)
    {
        var failures = new List<string>();
        foreach (var (host, credential) in options.Credentials)
        {
            if (HostProblem(host) is { } problem)
            {
                failures.Add($"{Section}:Credentials:{host}: {problem}");
            }
            else if (credential.Username.Length == 0 || credential.Password.Length == 0)
            {
                failures.Add($"{Section}:Credentials:{host} needs both Username and Password.");
            }
        }

        for (var i = 0; i < options.Insecure.Count; i++)
        {
            if (HostProblem(options.Insecure[i]) is { } problem)
            {
                failures.Add($"{Section}:Insecure:{i} ('{options.Insecure[i]}'): {problem}");
            }
        }

        if (options.MaxManifestBytes < 1)
        {
            failures.Add($"{Section}:MaxManifestBytes must be positive; got {options.MaxManifestBytes}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Null for <c>host</c> or <c>host:port</c>; else what is wrong.</summary>
    internal static string? HostProblem(string text)
    {
        const string Hint = "give a registry host as in a reference, host or host:port (e.g. registry.example.com, " +
            "localhost:5000), with no scheme or path.";
        if (text.Contains("://", StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
        {
            return Hint;
        }

        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? text : text[..colon];
        if (colon >= 0 && (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ||
            port is < 1 or > 65535))
        {
            return Hint;
        }

        return Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown ? Hint : null;
    }
}
