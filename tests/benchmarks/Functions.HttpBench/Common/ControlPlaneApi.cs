using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Functions.HttpBench.Common;

/// <summary>The few control-plane calls the measurements make, each timed end to end.</summary>
internal sealed class ControlPlaneApi(HttpClient admin)
{
    /// <summary>POST /api/v1/modules; the digest, the status and the milliseconds from sending to the whole answer.</summary>
    public async Task<(string Digest, int Status, double Ms)> UploadAsync(byte[] module)
    {
        using var content = new ByteArrayContent(module);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        var started = Stopwatch.GetTimestamp();
        using var response = await admin.PostAsync(new Uri("api/v1/modules", UriKind.Relative), content).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"upload of {module.Length} bytes answered {(int)response.StatusCode}: {body}");
        }

        return (JsonNode.Parse(body)!["digest"]!.GetValue<string>(), (int)response.StatusCode, ms);
    }

    /// <summary>PUT /api/v1/apps/{app}; the new generation and the milliseconds the call took.</summary>
    public async Task<(long Generation, double Ms)> DeployAsync(string app, params object[] routes)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await admin.PutAsJsonAsync(new Uri($"api/v1/apps/{app}", UriKind.Relative), new { routes }).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"deploy of {app} answered {(int)response.StatusCode}: {body}");
        }

        return (JsonNode.Parse(body)!["generation"]!.GetValue<long>(), ms);
    }
    /// <summary>
    /// Sends a request and returns whatever the control plane answers (no exception on an error status): for the
    /// measurements that expect refusals (a broken app's deploy) or poll (a rollout).
    /// </summary>
    public async Task<(int Status, string Body, double Ms)> SendAsync(HttpMethod method, string path, object? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        var started = Stopwatch.GetTimestamp();
        using var response = await admin.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return ((int)response.StatusCode, body, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>POST /api/v1/modules without throwing: the status and the body (the module, or a problem).</summary>
    public async Task<(int Status, string Body)> TryUploadAsync(byte[] module)
    {
        using var content = new ByteArrayContent(module);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        using var response = await admin.PostAsync(new Uri("api/v1/modules", UriKind.Relative), content).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }
}
