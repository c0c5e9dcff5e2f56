using System.Net;
using System.Text.RegularExpressions;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Security;
using Functions.ControlPlane.Tests.Support;
using Functions.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Functions.ControlPlane.Tests.Security;

/// <summary>A control plane with no admin key configured, so that its first start generates one.</summary>
public sealed class UnkeyedApp : ControlPlaneApp
{
    private readonly StringWriter _console = new();

    public UnkeyedApp() => Settings.Remove("Functions:AdminKey");

    /// <summary>What the control plane printed to its console (stderr), apart from its logs.</summary>
    public string Console
    {
        get
        {
            lock (_console)
            {
                return _console.ToString();
            }
        }
    }

    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton(new OperatorConsole(TextWriter.Synchronized(_console))));

    /// <summary>A second instance on the same database, as after a restart.</summary>
    public static UnkeyedApp OnSameDatabase(string connectionString, RabbitMqEndpoint rabbitMq)
    {
        var app = new UnkeyedApp();
        app.Settings["ConnectionStrings:Postgres"] = connectionString;
        app.Settings["ConnectionStrings:RabbitMq"] = rabbitMq.ConnectionString;
        return app;
    }

    public override async Task InitializeAsync()
    {
        if (Settings.ContainsKey("ConnectionStrings:Postgres"))
        {
            _ = Server;
            return;
        }

        await base.InitializeAsync();
    }
}

public sealed partial class BootstrapAdminKeyTests(UnkeyedApp app) : IClassFixture<UnkeyedApp>
{
    [SkippableFact]
    public async Task Without_a_configured_key_the_first_start_prints_a_generated_key_once_to_the_console_never_to_the_logs_and_every_restart_accepts_it()
    {
        Skip.If(Environment.GetEnvironmentVariable(ControlPlaneHosting.AdminKeyVariable) is { Length: > 0 },
            $"{ControlPlaneHosting.AdminKeyVariable} is set in this environment, so no key is generated.");
        var key = Assert.Single(GeneratedKey().Matches(app.Console)).Groups["key"].Value;
        Assert.DoesNotContain(app.Logs, line => line.Contains(key, StringComparison.Ordinal));
        Assert.Contains(app.Logs, line => line.Contains("printed once to the console", StringComparison.Ordinal));

        using var accepted = await app.Client(key).GetAsync(new Uri("/api/v1/apps", UriKind.Relative));
        using var rejected = await app.Client("another-key-0123456789").GetAsync(new Uri("/api/v1/apps", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);

        await using var restarted = UnkeyedApp.OnSameDatabase(app.ConnectionString, app.RabbitMq);
        await restarted.InitializeAsync();
        using var afterRestart = await restarted.Client(key).GetAsync(new Uri("/api/v1/apps", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, afterRestart.StatusCode);
        Assert.DoesNotMatch(GeneratedKey(), restarted.Console);
        Assert.DoesNotContain(key, await app.SnapshotAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("one was generated: (?<key>[A-Za-z0-9_-]{20,})\n")]
    private static partial Regex GeneratedKey();
}
