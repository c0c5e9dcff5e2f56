using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Functions.Contracts.Api;

namespace Functions.Cli.Api;

/// <summary>
/// The control plane's REST API (<c>/api/v1</c>), typed. Every error answer becomes an <see cref="ApiException"/>
/// carrying the server's ProblemDetails; no answer at all becomes a <see cref="ControlPlaneUnreachableException"/>.
/// </summary>
internal sealed partial class ApiClient(HttpClient http, Uri baseUrl)
{
    public const int MaxPageSize = 100;

    /// <summary>Longest wait for an answer to anything but an upload (uploads report progress instead).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>The control plane's address, as given by <c>--url</c>.</summary>
    public Uri BaseUrl { get; } = baseUrl;

    private static ApiJson Json => ApiJson.Default;

    public async Task<ModuleView?> FindModuleAsync(string digest, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/modules/{Uri.EscapeDataString(digest)}");
        return await SendAsync(request, Json.ModuleView, cancel, notFoundIsNull: true);
    }

    /// <summary>Uploads a module file; <c>Created</c> is false when the control plane already had these bytes.</summary>
    public async Task<(ModuleView Module, bool Created)> UploadModuleAsync(
        string path, IProgress<long>? progress, CancellationToken cancel)
    {
        using var content = new ProgressContent(path, progress);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/modules") { Content = content };
        // Lets the control plane refuse a too-large module (413) before a single byte of it is sent.
        request.Headers.ExpectContinue = true;
        using var response = await SendRawAsync(request, timeout: null, cancel);
        await EnsureSuccessAsync(response, request, cancel);
        var module = await ReadAsync(response, Json.ModuleView, cancel);
        return (module, response.StatusCode == HttpStatusCode.Created);
    }

    /// <summary>Longest wait for the control plane to pull a module from a registry (it streams, verifies and checks it).</summary>
    public TimeSpan PullTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Has the control plane pull a module from an OCI registry (<c>POST /api/v1/modules/pull</c>); <c>Created</c> is
    /// false when it already had these bytes. The registry's credentials are the control plane's, never sent from here.
    /// </summary>
    public async Task<(ModuleView Module, bool Created)> PullModuleAsync(string reference, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/modules/pull")
        {
            Content = JsonContent.Create(new ModulePullRequest { Reference = reference }, Json.ModulePullRequest),
        };
        using var response = await SendRawAsync(request, PullTimeout, cancel);
        await EnsureSuccessAsync(response, request, cancel);
        var module = await ReadAsync(response, Json.ModuleView, cancel);
        return (module, response.StatusCode == HttpStatusCode.Created);
    }

    public async Task<FileBundleView?> FindFileBundleAsync(string digest, CancellationToken cancel) =>
        (await GetFileBundleAsync(digest, 0, 1, cancel))?.Bundle;

    /// <summary>A bundle with one page of its listing; null when the control plane has no bundle with this digest.</summary>
    public async Task<FileBundleDetail?> GetFileBundleAsync(string digest, int pageIndex, int pageSize, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{FilesPath(digest)}?pageIndex={pageIndex}&pageSize={pageSize}");
        return await SendAsync(request, Json.FileBundleDetail, cancel, notFoundIsNull: true);
    }

    /// <summary>Uploads a bundle (a tar or gzipped tar); <c>Created</c> is false when the control plane already had it.</summary>
    public async Task<(FileBundleView Bundle, bool Created)> UploadFileBundleAsync(
        string path, bool gzip, IProgress<long>? progress, CancellationToken cancel)
    {
        using var content = new ProgressContent(path, progress);
        content.Headers.ContentType = new MediaTypeHeaderValue(gzip ? "application/gzip" : "application/x-tar");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/files") { Content = content };
        request.Headers.ExpectContinue = true;
        using var response = await SendRawAsync(request, timeout: null, cancel);
        await EnsureSuccessAsync(response, request, cancel);
        var bundle = await ReadAsync(response, Json.FileBundleView, cancel);
        return (bundle, response.StatusCode == HttpStatusCode.Created);
    }

    public Task<IReadOnlyList<FileBundleView>> ListFileBundlesAsync(CancellationToken cancel) =>
        ListAllAsync("api/v1/files", Json.PaginatedItemsFileBundleView, cancel);

    public async Task DeleteFileBundleAsync(string digest, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, FilesPath(digest));
        using var response = await SendRawAsync(request, RequestTimeout, cancel);
        await EnsureSuccessAsync(response, request, cancel);
    }

    public Task<IReadOnlyList<ModuleView>> ListModulesAsync(CancellationToken cancel) =>
        ListAllAsync("api/v1/modules", Json.PaginatedItemsModuleView, cancel);

    public async Task DeleteModuleAsync(string digest, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/modules/{Uri.EscapeDataString(digest)}");
        using var response = await SendRawAsync(request, RequestTimeout, cancel);
        await EnsureSuccessAsync(response, request, cancel);
    }

    public async Task<Activation> DeployAsync(string app, DeployRequest body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, AppPath(app))
        {
            Content = JsonContent.Create(body, Json.DeployRequest),
        };
        return (await SendAsync(request, Json.Activation, cancel))!;
    }

    public Task<IReadOnlyList<AppSummary>> ListAppsAsync(CancellationToken cancel) =>
        ListAllAsync("api/v1/apps", Json.PaginatedItemsAppSummary, cancel);

    public async Task<AppView> GetAppAsync(string app, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, AppPath(app));
        return (await SendAsync(request, Json.AppView, cancel))!;
    }

    public Task<IReadOnlyList<ReleaseSummary>> ListReleasesAsync(string app, CancellationToken cancel) =>
        ListAllAsync($"{AppPath(app)}/releases", Json.PaginatedItemsReleaseSummary, cancel);

    public async Task<ReleaseView> GetReleaseAsync(string app, int version, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AppPath(app)}/releases/{version}");
        return (await SendAsync(request, Json.ReleaseView, cancel))!;
    }

    public async Task<Activation> RollbackAsync(string app, int version, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{AppPath(app)}/rollback")
        {
            Content = JsonContent.Create(new RollbackRequest { Version = version }, Json.RollbackRequest),
        };
        return (await SendAsync(request, Json.Activation, cancel))!;
    }

    public async Task DeleteAppAsync(string app, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, AppPath(app));
        using var response = await SendRawAsync(request, RequestTimeout, cancel);
        await EnsureSuccessAsync(response, request, cancel);
    }

    public async Task<RolloutView> GetRolloutAsync(string app, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AppPath(app)}/rollout");
        return (await SendAsync(request, Json.RolloutView, cancel))!;
    }

    /// <summary>
    /// Every worker node, page by page, as one page (a control plane without paging answers them all at once and
    /// sends no count).
    /// </summary>
    public async Task<WorkerList> ListWorkersAsync(CancellationToken cancel)
    {
        var all = new List<WorkerView>();
        for (var index = 0; ; index++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/workers?pageIndex={index}&pageSize={MaxPageSize}");
            var page = (await SendAsync(request, Json.WorkerList, cancel))!;
            all.AddRange(page.Workers);
            if (page.Workers.Count == 0 || all.Count >= page.Count)
            {
                return page with { PageIndex = 0, PageSize = all.Count, Count = all.Count, Workers = all };
            }
        }
    }

    private static string FilesPath(string digest) => $"api/v1/files/{Uri.EscapeDataString(digest)}";

    private static string AppPath(string app) => $"api/v1/apps/{Uri.EscapeDataString(app)}";

    private async Task<IReadOnlyList<T>> ListAllAsync<T>(string path, JsonTypeInfo<PaginatedItems<T>> type, CancellationToken cancel)
    {
        var all = new List<T>();
        for (var index = 0; ; index++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?pageIndex={index}&pageSize={MaxPageSize}");
            var page = (await SendAsync(request, type, cancel))!;
            all.AddRange(page.Items);
            if (page.Items.Count == 0 || all.Count >= page.Count)
            {
                return all;
            }
        }
    }

    private async Task<T?> SendAsync<T>(
        HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancel, bool notFoundIsNull = false)
    {
        using var response = await SendRawAsync(request, RequestTimeout, cancel);
        if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
        {
            return default;
        }

        await EnsureSuccessAsync(response, request, cancel);
        return await ReadAsync(response, type, cancel);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, TimeSpan? timeout, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new ControlPlaneUnreachableException(BaseUrl, $"no answer within {timeout?.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new ControlPlaneUnreachableException(BaseUrl, Describe(e), e);
        }
    }

    private static string Describe(HttpRequestException e)
    {
        var socket = e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
        return socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connecting timed out",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
            _ => e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "host not found",
                HttpRequestError.SecureConnectionError => $"TLS failed ({e.Message})",
                HttpRequestError.ResponseEnded => "the connection closed before an answer",
                _ => e.Message.TrimEnd('.'),
            },
        };
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancel)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancel);
        Problem? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is { } media && media.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                problem = JsonSerializer.Deserialize(body, Json.Problem);
            }
            catch (JsonException)
            {
                // Not a problem document after all: fall through to the raw body.
            }
        }

        // Something other than the control plane (a proxy, a wrong --url) may answer: show what it said.
        problem ??= new Problem
        {
            Status = status,
            Title = response.ReasonPhrase ?? $"HTTP {status}",
            Detail = body.Length == 0 ? null : body.Length > 300 ? body[..300] + "…" : body,
        };
        throw new ApiException(status, problem, $"{request.Method} {request.RequestUri}");
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancel)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancel)
                ?? throw new JsonException("the body is empty");
        }
        catch (JsonException e)
        {
            throw new ApiException((int)response.StatusCode, new Problem
            {
                Title = "Unexpected answer",
                Detail = $"The answer is not what this CLI expects ({e.Message}). Is --url the control plane, and of a " +
                    "version this CLI knows?",
            }, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}");
        }
    }
}
