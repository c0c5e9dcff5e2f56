using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Functions.Contracts;
using Functions.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Functions.Cli.Tests.Support;

/// <summary>
/// The real control plane (src/Functions.ControlPlane) in-process on its own fresh Postgres database and RabbitMQ
/// virtual host, with known keys; the CLI talks to it through the in-process HTTP handler. One per test class.
/// </summary>
public sealed class ControlPlaneFixture : WebApplicationFactory<global::Program>, IAsyncLifetime
{
    public const string AdminKey = "cli-test-admin-key-0123456789abcdef";
    public const string WorkerKey = "cli-test-worker-key-0123456789abcdef";

    private readonly Dictionary<string, string?> settings = new()
    {
        ["Functions:AdminKey"] = AdminKey,
        ["Functions:WorkerKey"] = WorkerKey,
    };

    /// <summary>The control plane's volumes root: manifests may map directories under it.</summary>
    public TempFolder Volumes { get; } = new();

    public async Task InitializeAsync()
    {
        var services = await PlatformServices.GetAsync();
        settings["ConnectionStrings:Postgres"] = await services.CreateDatabaseAsync("cli");
        settings["ConnectionStrings:RabbitMq"] = (await services.CreateVirtualHostAsync("cli")).ConnectionString;
        settings["Functions:VolumesRoot"] = Volumes.Path;
        _ = Server; // start now: migrations run here, not inside the first test
    }

    Task IAsyncLifetime.DisposeAsync()
    {
        Volumes.Dispose();
        return DisposeAsync().AsTask();
    }

    /// <summary>Runs <c>functions</c> with <c>FUNCTIONS_URL</c> and <c>FUNCTIONS_ADMIN_KEY</c> set for this control plane.</summary>
    public Task<CliRun> RunAsync(params string[] args) => RunAsync(AdminKey, args);

    /// <summary>Runs <c>functions</c> with the given admin key in the environment (none when null).</summary>
    public Task<CliRun> RunAsync(string? key, string[] args, bool stderrIsTerminal = false)
    {
        var environment = new Dictionary<string, string> { [GlobalOptions.UrlVariable] = "http://localhost/" };
        if (key is not null)
        {
            environment[GlobalOptions.KeyVariable] = key;
        }

        return CliRunner.RunAsync(environment, Server.CreateHandler(), args, stderrIsTerminal);
    }

    /// <summary>GETs an admin API path and returns its JSON, failing the test on an error status.</summary>
    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var client = Client(AdminKey);
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Status code of an admin GET, for "is it gone" checks.</summary>
    public async Task<int> StatusOfAsync(string path)
    {
        using var client = Client(AdminKey);
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (int)response.StatusCode;
    }

    /// <summary>Reports as a worker node does (the worker's own API, with the worker key).</summary>
    public async Task HeartbeatAsync(string nodeId, long applied, long? failed = null, string? error = null,
        IReadOnlyList<AppFailure>? failedApps = null)
    {
        using var client = Client(WorkerKey);
        var report = new WorkerReport(nodeId, $"http://{nodeId}:8080", "test", applied, failed, error, DateTimeOffset.UtcNow, failedApps);
        using var response = await client.PostAsJsonAsync(new Uri("/internal/v1/workers/heartbeat", UriKind.Relative), report);
        Assert.True(response.IsSuccessStatusCode, $"heartbeat answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
    }

    private HttpClient Client(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
