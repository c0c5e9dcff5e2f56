using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Functions.Contracts;

namespace Functions.Worker.Sync;

/// <summary>The worker's view of the control plane's internal surface: desired state, module bytes, heartbeats.</summary>
public sealed class ControlPlaneClient(HttpClient http)
{
    public async Task<DesiredState> GetDesiredStateAsync(CancellationToken cancellationToken)
    {
        var state = await http.GetFromJsonAsync<DesiredState>("internal/v1/desired-state", cancellationToken).ConfigureAwait(false);
        return state ?? throw new InvalidOperationException("The control plane answered the desired state with an empty body.");
    }

    /// <summary>Downloads a module and refuses bytes whose SHA-256 is not the digest asked for.</summary>
    public async Task<byte[]> GetModuleAsync(string digest, CancellationToken cancellationToken)
    {
        var bytes = await http.GetByteArrayAsync(new Uri($"internal/v1/modules/{Uri.EscapeDataString(digest)}/content", UriKind.Relative), cancellationToken)
            .ConfigureAwait(false);
        var actual = ModuleDigest.Of(bytes);
        if (!string.Equals(actual, digest, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Module {digest} arrived with digest {actual}: refusing it.");
        }

        return bytes;
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

/// <summary>Module digests as the platform writes them: <c>sha256:&lt;lowercase hex&gt;</c>.</summary>
public static class ModuleDigest
{
    public static string Of(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
