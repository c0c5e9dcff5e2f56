using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Functions.FleetSim;

/// <summary>The deploys the benchmark makes, through the public API as the CLI would.</summary>
internal sealed class AdminApi : IDisposable
{
    public const string App = "fleet";
    private readonly HttpClient _http;

    public AdminApi(Uri controlPlane, string key)
    {
        _http = new HttpClient { BaseAddress = controlPlane, Timeout = TimeSpan.FromMinutes(2) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public async Task<long> DeployAsync(byte[] module, int run) => await PutAsync(await UploadAsync(Variant(module, run)), run);

    public async Task<string> UploadAsync(byte[] module)
    {
        using var content = new ByteArrayContent(module);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        using var response = await _http.PostAsync(new Uri("api/v1/modules", UriKind.Relative), content);
        await Check(response);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("digest").GetString()!;
    }

    /// <summary>Deploys the app with one route on <paramref name="digest"/>; the new generation.</summary>
    public async Task<long> PutAsync(string digest, int run)
    {
        using var response = await _http.PutAsJsonAsync(new Uri($"api/v1/apps/{App}", UriKind.Relative),
            new { routes = new[] { new { route = "/fleet", module = digest, environment = new Dictionary<string, string> { ["RUN"] = $"{run}" } } } });
        await Check(response);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("generation").GetInt64();
    }

    /// <summary>
    /// The module with a custom section naming the run appended: other bytes, so another digest and a download on
    /// every node, as a real new release brings; a custom section changes nothing the engine runs.
    /// </summary>
    public static byte[] Variant(byte[] module, int run) =>
        Functions.Testing.WasmBinary.WithCustomSection(module, "fleet-run", Encoding.UTF8.GetBytes($"{run}"));

    public void Dispose() => _http.Dispose();

    private static async Task Check(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered " +
                $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
