using Functions.Oci;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Modules.Registries;

/// <summary>Registers pulling modules from OCI registries: settings, their checks, the HTTP client, the puller.</summary>
internal static class RegistryHosting
{
    /// <summary>A registry that accepts a connection and then says nothing is given up on after this long.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(5);

    public static IServiceCollection AddModuleRegistries(this IServiceCollection services)
    {
        services.AddOptions<OciRegistrySettings>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<OciRegistrySettings>, RegistrySettingsSetup>();
        services.AddSingleton<IValidateOptions<OciRegistrySettings>, RegistrySettingsValidator>();
        services.AddHttpClient(ModulePuller.HttpClientName, client => client.Timeout = ResponseTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // An unreachable registry answers 502 soon, not after the operating system's minutes.
                ConnectTimeout = TimeSpan.FromSeconds(15),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                // OciClient follows redirects itself (to blob storage, without the registry's credentials, refusing
                // a step down to plain HTTP unless allowed).
                AllowAutoRedirect = false,
            });
        services.AddScoped<ModulePuller>();
        return services;
    }
}
