using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Functions.Oci;
using Functions.Testing;
using Functions.Testing.Hosts;
using Functions.Testing.Registry;

namespace Functions.EndToEnd.Tests.EndToEnd;

/// <summary>
/// Modules from an OCI registry (issue 14) on the whole platform as processes: pushed with the OCI client to the real
/// registry, pulled through the control plane's API, deployed by digest and served by a worker over HTTP; then the
/// tag is moved and pulled again.
/// </summary>
public sealed class OciPullTests : IAsyncLifetime
{
    private TestPlatform? _platform;
    private RegistryServer? _registry;

    public async Task InitializeAsync()
    {
        _platform = await TestPlatform.StartAsync("ocipull", workers: 1,
            controlPlaneSettings: new Dictionary<string, string> { ["Functions__Registries__AllowInsecureLoopback"] = "true" });
    }

    [SkippableFact]
    public async Task A_pushed_module_is_pulled_deployed_and_served_and_a_moved_tag_pulls_the_new_module()
    {
        // Started here, not in InitializeAsync, so a machine without the registry binary or Docker reports a skip.
        _registry = await RegistryServer.Shared();
        var platform = _platform!;
        var repository = $"{_registry!.Address}/e2e/hello-{Guid.NewGuid():N}";
        var first = await PushAsync($"{repository}:live", Fixtures.Bytes("hello-c"));

        var pulled = await PullAsync($"oci://{repository}:live");
        Assert.Equal(first.LayerDigest, pulled["digest"]!.GetValue<string>());
        Assert.Equal(first.ManifestDigest, pulled["source"]!["manifestDigest"]!.GetValue<string>());
        await platform.DeployAsync("registry", new { route = "/hello", module = first.LayerDigest });
        await WorkerAnswers("/hello", body => body.Contains("REQUEST_METHOD=GET", StringComparison.Ordinal));

        // The tag moves to another module: the running release is unchanged until the new digest is pulled and deployed.
        var second = await PushAsync($"{repository}:live", Fixtures.Bytes("echo"));
        await WorkerAnswers("/hello", body => body.Contains("REQUEST_METHOD=GET", StringComparison.Ordinal));
        var moved = await PullAsync($"{repository}:live");
        Assert.Equal(second.LayerDigest, moved["digest"]!.GetValue<string>());
        Assert.NotEqual(first.LayerDigest, second.LayerDigest);
        await platform.DeployAsync("registry", new { route = "/hello", module = second.LayerDigest });
        await WorkerAnswers("/hello", body => body.Length == 0, "application/octet-stream");
    }

    public async Task DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }
    }

    private static async Task<OciPushedModule> PushAsync(string reference, byte[] module)
    {
        using var http = new HttpClient();
        using var content = new MemoryStream(module);
        return await new OciClient(http, new OciRegistrySettings { AllowInsecureLoopback = true })
            .PushModuleAsync(OciReference.Parse(reference), content, default);
    }

    private async Task<JsonNode> PullAsync(string reference)
    {
        using var response = await _platform!.Admin.PostAsJsonAsync(
            new Uri("api/v1/modules/pull", UriKind.Relative), new { reference });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"pull of {reference} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    private Task<string> WorkerAnswers(string path, Func<string, bool> expected, string mediaType = "text/plain") =>
        _platform!.Workers[0].AnswersAsync(path, (response, body) =>
            response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == mediaType && expected(body), $"a {mediaType} body as expected");
}
