using System.Text.RegularExpressions;
using Functions.ControlPlane.Security;
using Functions.ControlPlane.Tests.Support;
using Functions.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Tests.Security;

/// <summary>A control plane started with the keys given, in the environment given.</summary>
public sealed class KeyedApp : ControlPlaneApp
{
    private readonly string _environment;

    public KeyedApp(string environment, string? adminKey, string? workerKey)
    {
        _environment = environment;
        Settings["Functions:AdminKey"] = adminKey;
        Settings["Functions:WorkerKey"] = workerKey;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment(_environment);
    }
}

public sealed partial class KeyStrengthTests
{
    /// <summary>The placeholder keys this repository ships, read from the files that ship them.</summary>
    public static TheoryData<string, string> ShippedPlaceholders()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, pattern) in new[]
                 {
                     (".env.example", EnvKey()),
                     ("deploy/k8s/base/secret.yaml", YamlKey()),
                 })
        {
            foreach (Match match in pattern.Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, file))))
            {
                data.Add(match.Groups["name"].Value, match.Groups["key"].Value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedPlaceholders))]
    public async Task A_shipped_placeholder_key_stops_the_start_outside_development_naming_the_setting_and_how_to_generate_one(string name, string key)
    {
        var admin = name.Contains("ADMIN", StringComparison.Ordinal);
        await using var app = new KeyedApp("Production",
            admin ? key : ControlPlaneApp.AdminKey, admin ? ControlPlaneApp.WorkerKey : key);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(app.InitializeAsync);

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains("placeholder", error.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("abababababababababababab")]
    [InlineData("passwordpassword")]
    public async Task A_low_entropy_key_stops_the_start_outside_development(string key)
    {
        await using var app = new KeyedApp("Staging", key, ControlPlaneApp.WorkerKey);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(app.InitializeAsync);

        Assert.Contains("FUNCTIONS_ADMIN_KEY", error.Message, StringComparison.Ordinal);
        Assert.Contains("entropy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_accepts_a_placeholder_key()
    {
        await using var app = new KeyedApp("Development", "change-me-admin-key-0123456789", "change-me-worker-key-0123456789");
        await app.InitializeAsync();

        using var response = await app.Client("change-me-admin-key-0123456789").GetAsync(new Uri("/api/v1/apps", UriKind.Relative));

        Assert.True(response.IsSuccessStatusCode);
    }

    [Theory]
    [InlineData("openssl-base64-32", "n2b0Qm9f1y0fZ0r8u7yVq3b8c9XJ8r0x1r0wQ2l4m5o=")]
    [InlineData("16 random letters and digits", "q7Xk2mP9vR4tW8zB")]
    [InlineData("32 hex digits", "9f86d081884c7d659a2feaa0c55ad015")]
    [InlineData("deploy/run.sh's", "Yc3n0vQ1kRZ8bHh6m4TnS9oJpX2eL7uWfGd5aIyKrM")]
    public void Random_keys_pass(string what, string key) =>
        Assert.True(KeyStrength.Weakness(key) is null, $"{what}: {KeyStrength.Weakness(key)}");

    [GeneratedRegex("^(?<name>FUNCTIONS_[A-Z]+_KEY)=(?<key>.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvKey();

    [GeneratedRegex("^\\s*(?<name>FUNCTIONS_[A-Z]+_KEY): \"(?<key>[^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex YamlKey();
}
