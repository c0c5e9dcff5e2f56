using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Functions.Testing.Hosts;

/// <summary>
/// A whole platform for one test class: its own database and virtual host on the shared servers, a control plane
/// process and worker processes, all on loopback. <see cref="Admin"/> talks to the REST API with the admin key.
/// </summary>
public sealed class TestPlatform : IAsyncDisposable
{
    private readonly List<HostProcess> _workers = [];
    private readonly Dictionary<string, string> _workerEnvironment;

    private TestPlatform(HostProcess controlPlane, Dictionary<string, string> workerEnvironment, string adminKey, string volumesRoot, string cacheRoot)
    {
        ControlPlane = controlPlane;
        _workerEnvironment = workerEnvironment;
        AdminKey = adminKey;
        VolumesRoot = volumesRoot;
        CacheRoot = cacheRoot;
        Admin = new HttpClient { BaseAddress = controlPlane.Address, Timeout = TimeSpan.FromSeconds(60) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
    }

    public HostProcess ControlPlane { get; }

    /// <summary>The control plane's management address, where its <c>/metrics</c> answers.</summary>
    public Uri ControlPlaneManagement { get; private init; } = null!;

    public IReadOnlyList<HostProcess> Workers => _workers;

    public HttpClient Admin { get; }

    public string AdminKey { get; }

    /// <summary>The host folder route volumes must live under.</summary>
    public string VolumesRoot { get; }

    private string CacheRoot { get; }

    /// <summary>The cache folder (compiled modules, file bundles) of the worker started as <paramref name="nodeId"/>.</summary>
    public string WorkerCacheDirectory(string nodeId) => Path.Combine(CacheRoot, nodeId);

    public static async Task<TestPlatform> StartAsync(string name, int workers, RabbitMqEndpoint? rabbitMq = null,
        IReadOnlyDictionary<string, string>? workerSettings = null, IReadOnlyDictionary<string, string>? controlPlaneSettings = null)
    {
        var services = await PlatformServices.GetAsync().ConfigureAwait(false);
        var database = await services.CreateDatabaseAsync(name).ConfigureAwait(false);
        rabbitMq ??= await services.CreateVirtualHostAsync(name).ConfigureAwait(false);
        var adminKey = "admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var workerKey = "worker-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var scratch = Directory.CreateTempSubdirectory($"functions-{name}-").FullName;
        var volumes = Directory.CreateDirectory(Path.Combine(scratch, "volumes")).FullName;
        var controlPlaneManagement = new Uri($"http://127.0.0.1:{HostProcess.FreePort()}");
        var controlPlaneEnvironment = new Dictionary<string, string>
        {
            ["Functions__ManagementUrls"] = controlPlaneManagement.AbsoluteUri.TrimEnd('/'),
            ["ConnectionStrings__Postgres"] = database,
            ["ConnectionStrings__RabbitMq"] = rabbitMq.ConnectionString,
            ["FUNCTIONS_ADMIN_KEY"] = adminKey,
            ["FUNCTIONS_WORKER_KEY"] = workerKey,
            ["Functions__VolumesRoot"] = volumes,
            ["Functions__WorkerStaleAfter"] = "00:00:06",
        };
        foreach (var (key, value) in controlPlaneSettings ?? new Dictionary<string, string>())
        {
            controlPlaneEnvironment[key] = value;
        }

        var controlPlane = await HostProcess.StartAsync("Functions.ControlPlane", $"{name} control plane", controlPlaneEnvironment)
            .ConfigureAwait(false);
        var workerEnvironment = new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = rabbitMq.ConnectionString,
            ["FUNCTIONS_WORKER_KEY"] = workerKey,
            ["Worker__ControlPlaneUrl"] = controlPlane.Address.AbsoluteUri,
            // A long periodic check: tests see the doorbell work; a test of the periodic check sets its own.
            ["Worker__PollInterval"] = "00:01:00",
            ["Worker__HeartbeatInterval"] = "00:00:01",
            ["Worker__RetryDelay"] = "00:00:01",
            ["Worker__ReadyInstances"] = "4",
            ["Worker__VolumesRoot"] = volumes,
        };
        foreach (var (key, value) in workerSettings ?? new Dictionary<string, string>())
        {
            workerEnvironment[key] = value;
        }

        var platform = new TestPlatform(controlPlane, workerEnvironment, adminKey, volumes, Path.Combine(scratch, "cache"))
        {
            ControlPlaneManagement = controlPlaneManagement,
        };
        try
        {
            await Task.WhenAll(Enumerable.Range(1, workers).Select(i => platform.StartWorkerAsync($"{name}-w{i}"))).ConfigureAwait(false);
        }
        catch
        {
            await platform.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return platform;
    }

    /// <summary>Starts a worker (or restarts one by id, reusing its disk cache) and waits until it is ready.</summary>
    public async Task<HostProcess> StartWorkerAsync(string nodeId, int? port = null)
    {
        var management = new Uri($"http://127.0.0.1:{HostProcess.FreePort()}");
        var environment = new Dictionary<string, string>(_workerEnvironment)
        {
            ["Worker__NodeId"] = nodeId,
            ["Worker__CacheDirectory"] = WorkerCacheDirectory(nodeId),
            ["Worker__ManagementUrls"] = management.AbsoluteUri.TrimEnd('/'),
        };
        var worker = await HostProcess.StartAsync("Functions.Worker", nodeId, environment, port, management).ConfigureAwait(false);
        lock (_workers)
        {
            _workers.Add(worker);
        }

        await worker.WaitUntilAsync("/readyz", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return worker;
    }

    public async Task StopWorkerAsync(HostProcess worker)
    {
        await worker.StopAsync().ConfigureAwait(false);
        lock (_workers)
        {
            _workers.Remove(worker);
        }
    }

    /// <summary>Uploads a module; returns its digest.</summary>
    public async Task<string> UploadAsync(byte[] wasm)
    {
        using var content = new ByteArrayContent(wasm);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        using var response = await Admin.PostAsync(new Uri("api/v1/modules", UriKind.Relative), content).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"upload failed: {(int)response.StatusCode} {body}");
        }

        return JsonNode.Parse(body)!["digest"]!.GetValue<string>();
    }

    /// <summary>Deploys <paramref name="routes"/> as <paramref name="app"/>; returns the new generation.</summary>
    public async Task<long> DeployAsync(string app, params object[] routes)
    {
        using var response = await Admin.PutAsJsonAsync(new Uri($"api/v1/apps/{app}", UriKind.Relative), new { routes }).ConfigureAwait(false);
        return await GenerationOf(response).ConfigureAwait(false);
    }

    public async Task<long> RollbackAsync(string app, int version)
    {
        using var response = await Admin.PostAsJsonAsync(new Uri($"api/v1/apps/{app}/rollback", UriKind.Relative), new { version }).ConfigureAwait(false);
        return await GenerationOf(response).ConfigureAwait(false);
    }

    public async Task DeleteAppAsync(string app)
    {
        using var response = await Admin.DeleteAsync(new Uri($"api/v1/apps/{app}", UriKind.Relative)).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"delete failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
    }

    /// <summary>The worker nodes as the control plane lists them.</summary>
    public async Task<JsonArray> WorkerNodesAsync()
    {
        var body = await Admin.GetFromJsonAsync<JsonObject>(new Uri("api/v1/workers", UriKind.Relative)).ConfigureAwait(false);
        return body!["workers"]!.AsArray();
    }

    private static async Task<long> GenerationOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {body}");
        }

        return JsonSerializer.Deserialize<JsonObject>(body)!["generation"]!.GetValue<long>();
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_workers.Select(w => w.DisposeAsync().AsTask())).ConfigureAwait(false);
        await ControlPlane.DisposeAsync().ConfigureAwait(false);
        Admin.Dispose();
        try
        {
            Directory.Delete(Path.GetDirectoryName(VolumesRoot)!, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unpacked file bundles are read-only (root ignores that; another user may not).
        }
    }
}
