using Functions.ControlPlane.Modules.Registries;
using Functions.Oci;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace Functions.ControlPlane.Tests.Modules.Registries;

public sealed class RegistrySettingsTests
{
    [Fact]
    public void A_credential_for_host_and_port_is_read_although_configuration_keys_split_on_the_colon()
    {
        var settings = Bind(Environments.Production, new()
        {
            ["Functions:Registries:Credentials:localhost:5000:Username"] = "ci",
            ["Functions:Registries:Credentials:localhost:5000:Password"] = "secret",
            ["Functions:Registries:Credentials:registry.example.com:Username"] = "team",
            ["Functions:Registries:Credentials:registry.example.com:Password"] = "other",
            ["Functions:Registries:Insecure:0"] = "registry.lan:5000",
        });

        Assert.Equal(["localhost:5000", "registry.example.com"], settings.Credentials.Keys.Order());
        Assert.Equal("ci", settings.Credentials["LOCALHOST:5000"].Username);
        Assert.Equal("other", settings.Credentials["registry.example.com"].Password);
        Assert.Equal(["registry.lan:5000"], settings.Insecure);
    }

    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Testing", null, false)]
    [InlineData("Development", "false", false)]
    [InlineData("Production", "true", true)]
    public void Plain_http_to_loopback_is_allowed_by_default_in_development_only(string environment, string? setting, bool allowed)
    {
        var settings = Bind(environment, new() { ["Functions:Registries:AllowInsecureLoopback"] = setting });

        Assert.Equal(allowed, settings.AllowInsecureLoopback);
    }

    [Theory]
    [InlineData("https://registry.example.com")]
    [InlineData("registry.example.com/team")]
    [InlineData("localhost:99999")]
    [InlineData("bad host")]
    public void An_insecure_entry_that_is_not_a_host_fails_start_up_naming_the_key(string entry)
    {
        var result = new RegistrySettingsValidator().Validate(null, new OciRegistrySettings { Insecure = [entry] });

        Assert.True(result.Failed);
        Assert.Contains("Functions:Registries:Insecure:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_credential_without_a_password_fails_start_up_naming_the_key()
    {
        var settings = new OciRegistrySettings();
        settings.Credentials["localhost:5000"] = new OciCredential { Username = "ci" };

        var result = new RegistrySettingsValidator().Validate(null, settings);

        Assert.True(result.Failed);
        Assert.Contains("Functions:Registries:Credentials:localhost:5000 needs both Username and Password", result.FailureMessage,
            StringComparison.Ordinal);
    }

    private static OciRegistrySettings Bind(string environment, Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var settings = new OciRegistrySettings();
        new RegistrySettingsSetup(configuration, new HostingEnvironment { EnvironmentName = environment }).Configure(settings);
        return settings;
    }
}
