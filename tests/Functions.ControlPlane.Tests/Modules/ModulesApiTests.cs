using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Common;
using Functions.ControlPlane.Modules;
using Functions.ControlPlane.Tests.Support;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Modules;

public sealed class ModulesApiTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    [Fact]
    public async Task Uploading_a_module_answers_201_with_its_digest_size_exports_and_imports()
    {
        var bytes = Fixtures.Bytes("hello-c");

        using var response = await PostRawAsync(bytes);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var module = (await response.Content.ReadFromJsonAsync<ModuleView>())!;
        Assert.Equal(ModuleDigest.Of(bytes), module.Digest);
        Assert.Matches("^sha256:[0-9a-f]{64}$", module.Digest);
        Assert.Equal(bytes.Length, module.Size);
        Assert.Contains("_start", module.Exports);
        Assert.Contains(module.Imports, i => i.Module == "wasi_snapshot_preview1");
        Assert.Equal($"/api/v1/modules/{module.Digest}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Uploading_the_same_bytes_again_answers_200_with_the_same_module_and_stores_it_once()
    {
        var bytes = Fixtures.Bytes("echo");
        using var first = await PostRawAsync(bytes);
        var before = await app.SnapshotAsync();

        using var second = await PostRawAsync(bytes);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(
            (await first.Content.ReadFromJsonAsync<ModuleView>())!.Digest,
            (await second.Content.ReadFromJsonAsync<ModuleView>())!.Digest);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_module_uploaded_as_the_multipart_file_field_is_stored_like_a_raw_one()
    {
        var bytes = Fixtures.Bytes("args");
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        form.Add(new StringContent("ignored"), "comment");
        form.Add(file, "file", "args.wasm");

        using var response = await app.Admin().PostAsync(new Uri("/api/v1/modules", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(ModuleDigest.Of(bytes), (await response.Content.ReadFromJsonAsync<ModuleView>())!.Digest);
    }

    [Fact]
    public async Task The_content_endpoint_returns_the_exact_bytes_with_the_digest_as_an_immutable_etag()
    {
        var bytes = Fixtures.Bytes("counter");
        var digest = await app.UploadAsync(bytes);

        using var response = await app.Admin().GetAsync(new Uri($"/api/v1/modules/{digest}/content", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/wasm", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{digest}\"", response.Headers.ETag?.Tag);
        Assert.Contains("immutable", response.Headers.CacheControl?.Extensions.Select(e => e.Name) ?? []);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/modules/{digest}/content");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{digest}\""));
        using var notModified = await app.Admin().SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task A_module_is_found_by_its_digest_with_or_without_the_prefix()
    {
        var digest = await app.UploadFixtureAsync("hello-wat");

        var byDigest = await app.Admin().GetFromJsonAsync<ModuleView>($"/api/v1/modules/{digest}");
        var byHex = await app.Admin().GetFromJsonAsync<ModuleView>($"/api/v1/modules/{digest["sha256:".Length..].ToUpperInvariant()}");

        Assert.Equal(digest, byDigest!.Digest);
        Assert.Equal(digest, byHex!.Digest);
    }

    [Fact]
    public async Task The_module_list_is_paged_and_counts_every_module()
    {
        await app.UploadFixtureAsync("hello-wat");
        await app.UploadFixtureAsync("multi");
        await app.UploadFixtureAsync("trap");

        var page = await app.Admin().GetFromJsonAsync<PaginatedItems<ModuleView>>("/api/v1/modules?pageIndex=0&pageSize=2");

        Assert.Equal(2, page!.Items.Count);
        Assert.True(page.Count >= 3);
        var next = await app.Admin().GetFromJsonAsync<PaginatedItems<ModuleView>>("/api/v1/modules?pageIndex=1&pageSize=2");
        Assert.DoesNotContain(next!.Items, m => page.Items.Any(p => p.Digest == m.Digest));
    }

    [Fact]
    public async Task A_module_no_active_release_uses_can_be_deleted()
    {
        var digest = await app.UploadFixtureAsync("stderr");

        using var deleted = await app.Admin().DeleteAsync(new Uri($"/api/v1/modules/{digest}", UriKind.Relative));
        using var again = await app.Admin().GetAsync(new Uri($"/api/v1/modules/{digest}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_module_an_active_release_uses_answers_409_naming_the_app_and_route()
    {
        var digest = await app.UploadFixtureAsync("cpu");
        await app.DeployAsync("uses-cpu", new { routes = new[] { new { route = "/cpu", module = digest } } });

        using var response = await app.Admin().DeleteAsync(new Uri($"/api/v1/modules/{digest}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("uses-cpu", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("/cpu", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_only_an_inactive_release_used_can_be_deleted_once_the_app_moved_on()
    {
        var old = await app.UploadFixtureAsync("exit");
        var current = await app.UploadFixtureAsync("headers");
        await app.DeployAsync("moves-on", new { routes = new[] { new { route = "/moves-on", module = old } } });
        await app.DeployAsync("moves-on", new { routes = new[] { new { route = "/moves-on", module = current } } });

        using var response = await app.Admin().DeleteAsync(new Uri($"/api/v1/modules/{old}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostRawAsync(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        return await app.Admin().PostAsync(new Uri("/api/v1/modules", UriKind.Relative), content);
    }
}
