using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Modules;
using Functions.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Functions.ControlPlane.Tests.Support;

/// <summary>
/// The real control plane in-process (WebApplicationFactory) on its own fresh Postgres database and RabbitMQ
/// virtual host, with known admin and worker keys. One per test class.
/// </summary>
public class ControlPlaneApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string WorkerKey = "test-worker-key-0123456789abcdef";

    public string ConnectionString { get; private set; } = "";

    public RabbitMqEndpoint RabbitMq { get; private set; } = null!;

    /// <summary>Every log line the app wrote.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    /// <summary>Configuration on top of the defaults; subclasses add to it before the app starts.</summary>
    protected Dictionary<string, string?> Settings { get; } = new()
    {
        ["Functions:AdminKey"] = AdminKey,
        ["Functions:WorkerKey"] = WorkerKey,
    };

    public virtual async Task InitializeAsync()
    {
        var services = await PlatformServices.GetAsync();
        ConnectionString = await services.CreateDatabaseAsync("cp");
        RabbitMq = await services.CreateVirtualHostAsync("cp");
        Settings["ConnectionStrings:Postgres"] = ConnectionString;
        Settings.TryAdd("ConnectionStrings:RabbitMq", RabbitMq.ConnectionString);
        _ = Server; // start now: migrations run here, not inside the first test
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public HttpClient Admin() => Client(AdminKey);

    public HttpClient Worker() => Client(WorkerKey);

    public HttpClient Client(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Uploads a module as raw bytes and returns its digest.</summary>
    public async Task<string> UploadAsync(byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        using var response = await Admin().PostAsync(new Uri("/api/v1/modules", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ModuleView>())!.Digest;
    }

    public Task<string> UploadFixtureAsync(string name) => UploadAsync(Fixtures.Bytes(name));

    /// <summary>Deploys one route to an app; fails the test unless it answers 201.</summary>
    public async Task<Activation> DeployAsync(string app, object body)
    {
        using var response = await Admin().PutAsJsonAsync(new Uri($"/api/v1/apps/{app}", UriKind.Relative), body);
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
        {
            throw new Xunit.Sdk.XunitException($"deploy of {app} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<Activation>())!;
    }

    /// <summary>Rows in every table, and the generation's value: what "nothing was written" means.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT 'modules=' || (SELECT count(*) FROM modules)
                || ' applications=' || (SELECT count(*) FROM applications)
                || ' releases=' || (SELECT count(*) FROM releases)
                || ' release_routes=' || (SELECT count(*) FROM release_routes)
                || ' active_routes=' || (SELECT count(*) FROM active_routes)
                || ' worker_nodes=' || (SELECT count(*) FROM worker_nodes)
                || ' bootstrap_keys=' || (SELECT count(*) FROM bootstrap_keys)
                || ' generation=' || (SELECT value FROM generation)
                || ' file_bundles=' || (SELECT count(*) FROM file_bundles)
                || ' file_bundle_chunks=' || (SELECT count(*) FROM file_bundle_chunks)
                || ' file_bundle_entries=' || (SELECT count(*) FROM file_bundle_entries)
                || ' release_route_files=' || (SELECT count(*) FROM release_route_files)
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(Settings));
        builder.ConfigureLogging(logging => logging.AddProvider(new CollectingLoggerProvider(Logs)));
        builder.ConfigureServices(ConfigureTestServices);
    }

    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }
}
