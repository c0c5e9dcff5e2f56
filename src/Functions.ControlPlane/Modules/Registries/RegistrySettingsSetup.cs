using Functions.Oci;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Modules.Registries;

/// <summary>
/// Binds <c>Functions:Registries</c> to <see cref="OciRegistrySettings"/>. Configuration keys split on ':', so a
/// credential for <c>HOST:PORT</c> arrives as two levels (<c>Credentials:localhost:5000:Username</c>, or
/// <c>Functions__Registries__Credentials__localhost__5000__Username</c>); both levels are joined back into one host.
/// Plain HTTP to loopback registries is allowed by default in Development only.
/// </summary>
internal sealed class RegistrySettingsSetup(IConfiguration configuration, IHostEnvironment environment)
    : IConfigureOptions<OciRegistrySettings>
{
    public const string Section = "Functions:Registries";

    public void Configure(OciRegistrySettings options)
    {
        var section = configuration.GetSection(Section);
        section.Bind(options);
        options.AllowInsecureLoopback = section.GetValue<bool?>(nameof(OciRegistrySettings.AllowInsecureLoopback))
            ?? environment.IsDevelopment();

        options.Credentials.Clear();
        foreach (var host in section.GetSection(nameof(OciRegistrySettings.Credentials)).GetChildren())
        {
            if (IsCredential(host))
            {
                options.Credentials[host.Key] = Credential(host);
            }

            foreach (var port in host.GetChildren().Where(p => p.Key.All(char.IsAsciiDigit) && IsCredential(p)))
            {
                options.Credentials[$"{host.Key}:{port.Key}"] = Credential(port);
            }
        }
    }

    private static bool IsCredential(IConfigurationSection section) =>
        section[nameof(OciCredential.Username)] is not null || section[nameof(OciCredential.Password)] is not null;

    private static OciCredential Credential(IConfigurationSection section) => new()
    {
        Username = section[nameof(OciCredential.Username)] ?? "",
        Password = section[nameof(OciCredential.Password)] ?? "",
    };
}
