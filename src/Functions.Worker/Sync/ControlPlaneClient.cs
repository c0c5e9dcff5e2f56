using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Functions.Contracts;

namespace Functions.Worker.Sync;

/// <summary>The worker's view of the control plane's internal surface: desired state, module bytes, file bundles, heartbeats.</summary>
public sealed class ControlPlaneClient(HttpClient http)
{
    /// <summary>
    /// Pulls the desired state. With <paramref name="ifNoneMatch"/> (the ETag of the state last processed, <c>"g&lt;n&gt;"</c>)
    /// the control plane answers 304 while the generation is the same: nothing is read or deserialized then.
    /// </summary>
    public async Task<DesiredStatePull> GetDesiredStateAsync(string? ifNoneMatch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("internal/v1/desired-state", UriKind.Relative));
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var etag = response.Headers.ETag?.ToString();
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new DesiredStatePull(null, etag ?? ifNoneMatch);
        }

        response.EnsureSuccessStatusCode();
        var state = await response.Content.ReadFromJsonAsync<DesiredState>(cancellationToken).ConfigureAwait(false);
        return new DesiredStatePull(
            state ?? throw new InvalidOperationException("The control plane answered the desired state with an empty body."), etag);
    }

    /// <summary>Downloads a module and refuses bytes whose SHA-256 is not the digest asked for.</summary>
    public async Task<byte[]> GetModuleAsync(string digest, CancellationToken cancellationToken)
    {
        var bytes = await http.GetByteArrayAsync(new Uri($"internal/v1/modules/{Uri.EscapeDataString(digest)}/content", UriKind.Relative), cancellationToken)
            .ConfigureAwait(false);
        var actual = ContentDigest.Of(bytes);
        if (!string.Equals(actual, digest, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Module {digest} arrived with digest {actual}: refusing it.");
        }

        return bytes;
    }

    /// <summary>
    /// Streams a file bundle's canonical tar into <paramref name="read"/> as it arrives (never the whole archive in
    /// memory). The caller verifies it: the bytes are only trusted once their digest is checked.
    /// </summary>
    /// <summary>Streams the canonical tar of bundle <paramref name="digest"/> to <paramref name="read"/>; a body that
    /// brings no bytes for <paramref name="idleTimeout"/> fails as a cut-off download.</summary>
    public async Task<T> GetBundleAsync<T>(string digest, TimeSpan idleTimeout, Func<Stream, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"internal/v1/files/{Uri.EscapeDataString(digest)}/content", UriKind.Relative),
            HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), idleTimeout,
            $"The control plane sent nothing of file bundle {digest} for {idleTimeout.TotalSeconds:0.#} s (Worker:DownloadIdleTimeout): the download is abandoned and tried again.");
        await using (body.ConfigureAwait(false))
        {
            return await read(body, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task SendHeartbeatAsync(WorkerReport report, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("internal/v1/workers/heartbeat", report, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    internal static void Configure(HttpClient http, Uri baseAddress, string key)
    {
        http.BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        http.Timeout = TimeSpan.FromSeconds(60);
    }
}
