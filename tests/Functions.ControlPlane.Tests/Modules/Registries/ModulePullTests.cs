using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Modules;
using Functions.Oci;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Modules.Registries;

public sealed class ModulePullTests(RegistryPullApp app) : IClassFixture<RegistryPullApp>
{
    [Fact]
    public async Task Pulling_a_pushed_module_by_tag_answers_201_and_every_view_shows_its_source()
    {
        var bytes = Fixtures.Bytes("hello-c");
        var pushed = await RegistryPullApp.PushAsync(app.Open, "pull/hello:1.0", bytes);

        using var response = await PullAsync($"oci://{app.Open.Address}/pull/hello:1.0");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var module = (await response.Content.ReadFromJsonAsync<ModuleView>())!;
        Assert.Equal(ModuleDigest.Of(bytes), module.Digest);
        Assert.Equal(pushed.LayerDigest, module.Digest);
        Assert.Equal(bytes.Length, module.Size);
        Assert.Contains("_start", module.Entrypoints);
        Assert.Equal($"{app.Open.Address}/pull/hello:1.0", module.Source?.Reference);
        Assert.Equal(pushed.ManifestDigest, module.Source?.ManifestDigest);

        var shown = await app.Admin().GetFromJsonAsync<ModuleView>($"/api/v1/modules/{module.Digest}");
        Assert.Equal(module.Source, shown!.Source);
        var listed = await app.Admin().GetFromJsonAsync<PaginatedItems<ModuleView>>("/api/v1/modules?pageSize=100");
        Assert.Equal(module.Source, listed!.Items.Single(m => m.Digest == module.Digest).Source);
        using var content = await app.Admin().GetAsync(new Uri($"/api/v1/modules/{module.Digest}/content", UriKind.Relative));
        Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Moving_a_tag_and_pulling_again_stores_the_new_module_with_the_new_manifest_digest()
    {
        var first = await RegistryPullApp.PushAsync(app.Open, "pull/moving:stable", Fixtures.Bytes("echo"));
        using var one = await PullAsync($"{app.Open.Address}/pull/moving:stable");
        var second = await RegistryPullApp.PushAsync(app.Open, "pull/moving:stable", Fixtures.Bytes("args"));

        using var two = await PullAsync($"{app.Open.Address}/pull/moving:stable");

        Assert.Equal(HttpStatusCode.Created, two.StatusCode);
        var before = (await one.Content.ReadFromJsonAsync<ModuleView>())!;
        var after = (await two.Content.ReadFromJsonAsync<ModuleView>())!;
        Assert.NotEqual(before.Digest, after.Digest);
        Assert.Equal(ModuleDigest.Of(Fixtures.Bytes("args")), after.Digest);
        Assert.Equal(first.ManifestDigest, before.Source?.ManifestDigest);
        Assert.Equal(second.ManifestDigest, after.Source?.ManifestDigest);
        // The module pulled first is still there, unchanged: releases that name it keep running it.
        var kept = await app.Admin().GetFromJsonAsync<ModuleView>($"/api/v1/modules/{before.Digest}");
        Assert.Equal(first.ManifestDigest, kept!.Source?.ManifestDigest);
    }

    [Fact]
    public async Task Pulling_by_manifest_digest_and_again_by_tag_answers_200_and_records_the_latest_source()
    {
        var bytes = Fixtures.Bytes("counter");
        var pushed = await RegistryPullApp.PushAsync(app.Open, "pull/pinned:v1", bytes);
        var byDigest = $"{app.Open.Address}/pull/pinned@{pushed.ManifestDigest}";

        using var first = await PullAsync(byDigest);
        using var again = await PullAsync($"{app.Open.Address}/pull/pinned:v1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(byDigest, (await first.Content.ReadFromJsonAsync<ModuleView>())!.Source?.Reference);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var module = (await again.Content.ReadFromJsonAsync<ModuleView>())!;
        Assert.Equal(ModuleDigest.Of(bytes), module.Digest);
        Assert.Equal($"{app.Open.Address}/pull/pinned:v1", module.Source?.Reference);
    }

    [Fact]
    public async Task Pulling_bytes_uploaded_earlier_answers_200_and_gives_the_upload_its_source()
    {
        var bytes = Fixtures.Bytes("headers");
        var digest = await app.UploadAsync(bytes);
        Assert.Null((await app.Admin().GetFromJsonAsync<ModuleView>($"/api/v1/modules/{digest}"))!.Source);
        await RegistryPullApp.PushAsync(app.Open, "pull/uploaded:1", bytes);

        using var response = await PullAsync($"{app.Open.Address}/pull/uploaded:1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{app.Open.Address}/pull/uploaded:1", (await response.Content.ReadFromJsonAsync<ModuleView>())!.Source?.Reference);
    }

    [Fact]
    public async Task A_registry_with_htpasswd_is_pulled_from_with_the_configured_login()
    {
        await RegistryPullApp.PushAsync(app.Locked, "pull/private:1", Fixtures.Bytes("exit"));

        using var response = await PullAsync($"{app.Locked.Address}/pull/private:1");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_repository_or_tag_answers_404_and_stores_nothing()
    {
        await RegistryPullApp.PushAsync(app.Open, "pull/present:1", Fixtures.Bytes("hello-c"));
        var before = await app.SnapshotAsync();

        var repository = await ProblemAsync($"{app.Open.Address}/pull/absent:1", HttpStatusCode.NotFound);
        var tag = await ProblemAsync($"{app.Open.Address}/pull/present:2", HttpStatusCode.NotFound);

        Assert.Equal(app.Open.Address, repository.GetProperty("registry").GetString());
        Assert.Equal("NotFound", tag.GetProperty("reason").GetString());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task An_unreachable_registry_answers_502_naming_the_host()
    {
        var before = await app.SnapshotAsync();

        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var problem = await ProblemAsync("127.0.0.1:1/pull/hello:1", HttpStatusCode.BadGateway);

        Assert.Equal("Unreachable", problem.GetProperty("reason").GetString());
        Assert.Contains("127.0.0.1:1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Wrong_credentials_answer_502_naming_the_configuration_key_that_holds_them()
    {
        await RegistryPullApp.PushAsync(app.WrongLogin, "pull/secret:1", Fixtures.Bytes("hello-c"));
        var before = await app.SnapshotAsync();

        var problem = await ProblemAsync($"{app.WrongLogin.Address}/pull/secret:1", HttpStatusCode.BadGateway);

        Assert.Equal("Unauthorized", problem.GetProperty("reason").GetString());
        Assert.Contains($"Functions:Registries:Credentials:{app.WrongLogin.Address}", problem.GetProperty("detail").GetString(),
            StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_manifest_without_a_wasm_layer_answers_422_and_stores_nothing()
    {
        await app.PushRawAsync("pull/image", "1", Fixtures.Bytes("hello-c"), "application/vnd.oci.image.layer.v1.tar+gzip");
        var before = await app.SnapshotAsync();

        var problem = await ProblemAsync($"{app.Open.Address}/pull/image:1", HttpStatusCode.UnprocessableEntity);

        Assert.Equal("NoWasmLayer", problem.GetProperty("reason").GetString());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_layer_that_does_not_match_its_digest_answers_422_and_stores_nothing()
    {
        var bytes = Fixtures.Bytes("hello-c").Concat(Guid.NewGuid().ToByteArray()).ToArray(); // a digest of its own
        var layer = await app.PushRawAsync("pull/tampered", "1", bytes, OciMediaTypes.WasmLayer);
        RegistryPullApp.Corrupt(layer);
        var before = await app.SnapshotAsync();

        var problem = await ProblemAsync($"{app.Open.Address}/pull/tampered:1", HttpStatusCode.UnprocessableEntity);

        Assert.Equal("DigestMismatch", problem.GetProperty("reason").GetString());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_module_over_the_size_limit_answers_413_and_stores_nothing()
    {
        var big = new byte[RegistryPullApp.MaxModuleBytes + 1];
        Random.Shared.NextBytes(big);
        await RegistryPullApp.PushAsync(app.Open, "pull/big:1", big);
        var before = await app.SnapshotAsync();

        var problem = await ProblemAsync($"{app.Open.Address}/pull/big:1", HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("Functions:MaxModuleBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_layer_that_is_not_webassembly_answers_400_as_an_upload_does_and_stores_nothing()
    {
        await RegistryPullApp.PushAsync(app.Open, "pull/text:1", "this is not a module"u8.ToArray());
        var before = await app.SnapshotAsync();

        var problem = await ProblemAsync($"{app.Open.Address}/pull/text:1", HttpStatusCode.BadRequest);

        Assert.Equal("Not a WebAssembly module", problem.GetProperty("title").GetString());
        Assert.Equal("NotWebAssembly", problem.GetProperty("reason").GetString());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"reference\": \"no-registry-host\"}")]
    [InlineData("{\"reference\": \"https://example.com/x:1\"}")]
    public async Task A_missing_or_invalid_reference_answers_400_naming_the_field(string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await app.Admin().PostAsync(new Uri("/api/v1/modules/pull", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("reference", out _), problem.GetRawText());
    }

    private Task<HttpResponseMessage> PullAsync(string reference) =>
        app.Admin().PostAsJsonAsync(new Uri("/api/v1/modules/pull", UriKind.Relative), new ModulePullRequest { Reference = reference });

    private async Task<JsonElement> ProblemAsync(string reference, HttpStatusCode status)
    {
        using var response = await PullAsync(reference);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
