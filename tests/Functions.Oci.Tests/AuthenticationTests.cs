using Functions.Testing.Registry;

namespace Functions.Oci.Tests;

/// <summary>Logins against a real registry: Basic through htpasswd, and the distribution token flow.</summary>
public class AuthenticationTests
{
    private const string User = "ci";
    private const string Password = "s3cret-pass";

    [SkippableFact]
    public async Task An_htpasswd_registry_takes_the_configured_login_for_push_and_pull()
    {
        await using var registry = await RegistryServer.StartAsync(RegistryAuth.Htpasswd(User, Password));
        var client = TestModules.Client(Settings(registry, Password));
        var module = TestModules.Random(2_000);
        var reference = $"{registry.Address}/team/hello:v1";

        await client.PushModuleAsync(OciReference.Parse(reference), new MemoryStream(module), CancellationToken.None);
        var (_, bytes) = await TestModules.PullAsync(client, reference);

        Assert.Equal(module, bytes);
    }

    [SkippableTheory]
    [InlineData("wrong-password")]
    [InlineData(null)]
    public async Task An_htpasswd_registry_refuses_a_wrong_or_missing_login_saying_where_credentials_go(string? password)
    {
        await using var registry = await RegistryServer.StartAsync(RegistryAuth.Htpasswd(User, Password));
        var client = TestModules.Client(Settings(registry, password));

        var error = await Assert.ThrowsAsync<OciException>(() => TestModules.PullAsync(client, $"{registry.Address}/team/hello:v1"));

        Assert.Equal(OciErrorKind.Unauthorized, error.Kind);
        Assert.Contains($"Functions:Registries:Credentials:{registry.Address}", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_token_registry_takes_the_login_through_its_token_server_and_the_token_is_reused()
    {
        await using var registry = await RegistryServer.StartAsync(RegistryAuth.Token(User, Password));
        var client = TestModules.Client(Settings(registry, Password));
        var module = TestModules.Random(2_000);
        var reference = $"{registry.Address}/team/hello:v1";

        await client.PushModuleAsync(OciReference.Parse(reference), new MemoryStream(module), CancellationToken.None);
        var (_, first) = await TestModules.PullAsync(client, reference);
        var issued = registry.Tokens!.TokensIssued;
        var (_, second) = await TestModules.PullAsync(client, reference);

        Assert.Equal(module, first);
        Assert.Equal(module, second);
        Assert.Equal(issued, registry.Tokens.TokensIssued);
    }

    [SkippableTheory]
    [InlineData("wrong-password", "refused the login 'ci'")]
    [InlineData(null, "refused anonymous access")]
    public async Task A_token_registry_refuses_a_wrong_or_missing_login_with_a_clear_error(string? password, string expected)
    {
        await using var registry = await RegistryServer.StartAsync(RegistryAuth.Token(User, Password));
        var client = TestModules.Client(Settings(registry, password));

        var error = await Assert.ThrowsAsync<OciException>(() =>
            client.PushModuleAsync(OciReference.Parse($"{registry.Address}/team/hello:v1"), new MemoryStream(TestModules.Random(100)), CancellationToken.None));

        Assert.Equal(OciErrorKind.Unauthorized, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains($"Functions:Registries:Credentials:{registry.Address}", error.Message, StringComparison.Ordinal);
    }

    private static OciRegistrySettings Settings(RegistryServer registry, string? password)
    {
        var settings = new OciRegistrySettings { AllowInsecureLoopback = true };
        if (password is not null)
        {
            settings.Credentials[registry.Address] = new OciCredential { Username = User, Password = password };
        }

        return settings;
    }
}
