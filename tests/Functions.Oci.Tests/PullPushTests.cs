using Functions.Testing.Registry;

namespace Functions.Oci.Tests;

/// <summary>The client against a real registry (Debian's docker-registry), anonymous.</summary>
public class PullPushTests
{
    private const string ContainerLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

    [SkippableFact]
    public async Task A_pushed_module_pulls_back_byte_for_byte_with_its_digests()
    {
        var registry = await RegistryServer.Shared();
        var client = TestModules.Client();
        var module = TestModules.Random(100_000);
        var reference = $"{registry.Address}/{TestModules.Repository("roundtrip")}:1.0";

        var pushed = await client.PushModuleAsync(OciReference.Parse(reference), new MemoryStream(module), CancellationToken.None);
        var (pulled, bytes) = await TestModules.PullAsync(client, reference);

        Assert.Equal(module, bytes);
        Assert.Equal(RawRegistry.Digest(module), pushed.LayerDigest);
        Assert.Equal(pushed.LayerDigest, pulled.LayerDigest);
        Assert.Equal(pushed.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(OciMediaTypes.PlainWasm, pulled.LayerMediaType);
        Assert.Equal(module.Length, pulled.Size);
        Assert.Equal(module.Length, pushed.Size);
    }

    [SkippableFact]
    public async Task The_same_module_pushed_twice_has_the_same_manifest_digest_and_skips_existing_blobs()
    {
        var registry = await RegistryServer.Shared();
        var client = TestModules.Client();
        var module = TestModules.Random(10_000);
        var repository = $"{registry.Address}/{TestModules.Repository("twice")}";

        var first = await client.PushModuleAsync(OciReference.Parse(repository + ":a"), new MemoryStream(module), CancellationToken.None);
        var second = await client.PushModuleAsync(OciReference.Parse(repository + ":b"), new NonSeekableStream(module), CancellationToken.None);

        Assert.Equal(first, second);
    }

    [SkippableFact]
    public async Task A_moved_tag_pulls_the_new_module_and_the_old_digest_still_pulls_the_old_one()
    {
        var registry = await RegistryServer.Shared();
        var client = TestModules.Client();
        var repository = $"{registry.Address}/{TestModules.Repository("moved")}";
        var v1 = TestModules.Random(5_000);
        var v2 = TestModules.Random(6_000);

        var old = await client.PushModuleAsync(OciReference.Parse(repository + ":stable"), new MemoryStream(v1), CancellationToken.None);
        var moved = await client.PushModuleAsync(OciReference.Parse(repository + ":stable"), new MemoryStream(v2), CancellationToken.None);
        var byTag = await TestModules.PullAsync(client, repository + ":stable");
        var byDigest = await TestModules.PullAsync(client, $"{repository}@{old.ManifestDigest}");
        // A tag and a digest: the digest wins, as with docker pull.
        var both = await TestModules.PullAsync(client, $"{repository}:stable@{old.ManifestDigest}");

        Assert.NotEqual(old.ManifestDigest, moved.ManifestDigest);
        Assert.Equal(moved.ManifestDigest, byTag.Pulled.ManifestDigest);
        Assert.Equal(v2, byTag.Bytes);
        Assert.Equal(old.ManifestDigest, byDigest.Pulled.ManifestDigest);
        Assert.Equal(v1, byDigest.Bytes);
        Assert.Equal(v1, both.Bytes);
    }

    [SkippableTheory]
    [InlineData(OciMediaTypes.ImageIndex, "wasi", "wasm")]
    [InlineData(OciMediaTypes.DockerManifestList, "linux", "wasm")]
    public async Task An_index_pulls_its_wasm_platform_and_not_the_container_image(string indexType, string os, string architecture)
    {
        var registry = await RegistryServer.Shared();
        var client = TestModules.Client();
        var repository = TestModules.Repository("index");
        var module = TestModules.Random(7_000);
        var wasm = await client.PushModuleAsync(OciReference.Parse($"{registry.Address}/{repository}:wasm"), new MemoryStream(module), CancellationToken.None);
        using var raw = new RawRegistry(registry.Address);
        var (imageDigest, imageSize) = await PushContainerImageAsync(raw, repository);
        var wasmSize = await ManifestSizeAsync(registry.Address, repository, wasm.ManifestDigest);
        var manifestType = indexType == OciMediaTypes.ImageIndex ? OciMediaTypes.ImageManifest : OciMediaTypes.DockerManifestV2;

        var indexDigest = await raw.PushManifestAsync(repository, "multi", indexType, new
        {
            schemaVersion = 2,
            mediaType = indexType,
            manifests = new object[]
            {
                new { mediaType = manifestType, digest = imageDigest, size = imageSize, platform = new { os = "linux", architecture = "amd64" } },
                new { mediaType = OciMediaTypes.ImageManifest, digest = wasm.ManifestDigest, size = wasmSize, platform = new { os, architecture } },
            },
        });
        var (pulled, bytes) = await TestModules.PullAsync(client, $"{registry.Address}/{repository}:multi");

        Assert.Equal(module, bytes);
        Assert.Equal(indexDigest, pulled.ManifestDigest);
        Assert.Equal(wasm.LayerDigest, pulled.LayerDigest);
    }

    [SkippableFact]
    public async Task An_index_without_a_wasm_platform_is_refused_naming_its_platforms()
    {
        var registry = await RegistryServer.Shared();
        var repository = TestModules.Repository("noplatform");
        using var raw = new RawRegistry(registry.Address);
        var (imageDigest, imageSize) = await PushContainerImageAsync(raw, repository);
        var (armDigest, armSize) = await PushContainerImageAsync(raw, repository);
        await raw.PushManifestAsync(repository, "multi", OciMediaTypes.ImageIndex, new
        {
            schemaVersion = 2,
            mediaType = OciMediaTypes.ImageIndex,
            manifests = new object[]
            {
                new { mediaType = OciMediaTypes.ImageManifest, digest = imageDigest, size = imageSize, platform = new { os = "linux", architecture = "amd64" } },
                new { mediaType = OciMediaTypes.ImageManifest, digest = armDigest, size = armSize, platform = new { os = "linux", architecture = "arm64" } },
            },
        });

        var error = await PullFailsAsync($"{registry.Address}/{repository}:multi");

        Assert.Equal(OciErrorKind.NoWasmLayer, error.Kind);
        Assert.Contains("linux/amd64, linux/arm64", error.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(OciMediaTypes.ImageManifest, "application/vnd.wasm.config.v1+json", OciMediaTypes.WasmToOciLayer)]
    [InlineData(OciMediaTypes.ImageManifest, "application/vnd.wasm.config.v1+json", OciMediaTypes.WasmLayer)]
    [InlineData(OciMediaTypes.DockerManifestV2, "application/vnd.docker.container.image.v1+json", OciMediaTypes.PlainWasm)]
    public async Task Manifests_other_tools_push_pull_their_single_wasm_layer(string manifestType, string configType, string layerType)
    {
        var registry = await RegistryServer.Shared();
        var repository = TestModules.Repository("tools");
        var module = TestModules.Random(3_000);
        using var raw = new RawRegistry(registry.Address);
        var config = "{}"u8.ToArray();
        var configDigest = await raw.PushBlobAsync(repository, config);
        var layerDigest = await raw.PushBlobAsync(repository, module);
        await raw.PushManifestAsync(repository, "v1", manifestType, new
        {
            schemaVersion = 2,
            mediaType = manifestType,
            config = RawRegistry.Descriptor(configType, configDigest, config.Length),
            layers = new[] { RawRegistry.Descriptor(layerType, layerDigest, module.Length) },
        });

        var (pulled, bytes) = await TestModules.PullAsync(TestModules.Client(), $"{registry.Address}/{repository}:v1");

        Assert.Equal(module, bytes);
        Assert.Equal(layerType, pulled.LayerMediaType);
        Assert.Equal(layerDigest, pulled.LayerDigest);
    }

    [SkippableFact]
    public async Task A_container_image_is_refused_for_having_no_wasm_layer()
    {
        var registry = await RegistryServer.Shared();
        var repository = TestModules.Repository("container");
        using var raw = new RawRegistry(registry.Address);
        await PushContainerImageAsync(raw, repository, "v1");

        var error = await PullFailsAsync($"{registry.Address}/{repository}:v1");

        Assert.Equal(OciErrorKind.NoWasmLayer, error.Kind);
        Assert.Contains(ContainerLayer, error.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task A_manifest_whose_layer_size_does_not_match_the_blob_is_refused(int sizeError)
    {
        var registry = await RegistryServer.Shared();
        var repository = TestModules.Repository("wrongsize");
        var module = TestModules.Random(4_000);
        using var raw = new RawRegistry(registry.Address);
        var config = "{}"u8.ToArray();
        var configDigest = await raw.PushBlobAsync(repository, config);
        var layerDigest = await raw.PushBlobAsync(repository, module);
        await raw.PushManifestAsync(repository, "v1", OciMediaTypes.ImageManifest, new
        {
            schemaVersion = 2,
            mediaType = OciMediaTypes.ImageManifest,
            config = RawRegistry.Descriptor(OciMediaTypes.WasmConfig, configDigest, config.Length),
            layers = new[] { RawRegistry.Descriptor(OciMediaTypes.PlainWasm, layerDigest, module.Length + sizeError) },
        });

        var error = await PullFailsAsync($"{registry.Address}/{repository}:v1");

        Assert.Equal(OciErrorKind.SizeMismatch, error.Kind);
        Assert.Contains(layerDigest, error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_digest_the_registry_does_not_have_is_not_found()
    {
        var registry = await RegistryServer.Shared();
        var client = TestModules.Client();
        var repository = $"{registry.Address}/{TestModules.Repository("missing")}";
        await client.PushModuleAsync(OciReference.Parse(repository + ":v1"), new MemoryStream(TestModules.Random(100)), CancellationToken.None);

        var noTag = await PullFailsAsync(repository + ":v2");
        var noDigest = await PullFailsAsync(repository + "@sha256:" + new string('0', 64));
        var noRepository = await PullFailsAsync($"{registry.Address}/{TestModules.Repository("never")}:v1");

        Assert.All([noTag, noDigest, noRepository], e => Assert.Equal(OciErrorKind.NotFound, e.Kind));
        Assert.All([noTag, noDigest, noRepository], e => Assert.Contains("Check the repository and the tag or digest", e.Message, StringComparison.Ordinal));
        Assert.Contains(":v2", noTag.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_module_over_the_size_limit_is_refused_before_anything_is_written()
    {
        var registry = await RegistryServer.Shared();
        var client = TestModules.Client();
        var reference = OciReference.Parse($"{registry.Address}/{TestModules.Repository("toolarge")}:v1");
        await client.PushModuleAsync(reference, new MemoryStream(TestModules.Random(10_000)), CancellationToken.None);
        using var destination = new RecordingStream();

        var error = await Assert.ThrowsAsync<OciException>(() => client.PullModuleAsync(reference, destination, 9_999, CancellationToken.None));

        Assert.Equal(OciErrorKind.TooLarge, error.Kind);
        Assert.Contains("9999-byte limit", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.Written);
    }

    [SkippableFact]
    public async Task A_20_MiB_module_streams_through_a_small_buffer_both_ways()
    {
        var registry = await RegistryServer.Shared();
        // 4 MiB chunks: the push goes as five PATCHes and a closing PUT.
        var client = new OciClient(new HttpClient(), TestModules.Loopback) { UploadChunkBytes = 4 << 20 };
        var module = TestModules.Random(20 << 20);
        var reference = OciReference.Parse($"{registry.Address}/{TestModules.Repository("large")}:v1");

        var pushed = await client.PushModuleAsync(reference, new MemoryStream(module), CancellationToken.None);
        using var destination = new RecordingStream();
        var pulled = await client.PullModuleAsync(reference, destination, 32 << 20, CancellationToken.None);

        Assert.Equal(RawRegistry.Digest(module), destination.Digest);
        Assert.Equal(module.Length, destination.Written);
        Assert.Equal(pushed.LayerDigest, pulled.LayerDigest);
        // Written as it arrived, never gathered: no single write comes near the module's size.
        Assert.InRange(destination.LargestWrite, 1, 1 << 20);
    }

    [SkippableFact]
    public async Task A_plain_http_registry_is_refused_unless_listed_as_insecure()
    {
        var registry = await RegistryServer.Shared();
        var reference = OciReference.Parse($"{registry.Address}/{TestModules.Repository("https")}:v1");
        var strict = TestModules.Client(new OciRegistrySettings());
        var listed = TestModules.Client(new OciRegistrySettings { Insecure = [registry.Address] });

        var error = await Assert.ThrowsAsync<OciException>(() =>
            strict.PushModuleAsync(reference, new MemoryStream(TestModules.Random(100)), CancellationToken.None));
        var pushed = await listed.PushModuleAsync(reference, new MemoryStream(TestModules.Random(100)), CancellationToken.None);

        Assert.Equal(OciErrorKind.InsecureNotAllowed, error.Kind);
        Assert.Contains("Functions:Registries:Insecure", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("sha256:", pushed.ManifestDigest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_unreachable_naming_the_host()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await PullFailsAsync($"127.0.0.1:{port}/hello:v1");

        Assert.Equal(OciErrorKind.Unreachable, error.Kind);
        Assert.Equal($"127.0.0.1:{port}", error.Registry);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    private static async Task<OciException> PullFailsAsync(string reference)
    {
        using var destination = new RecordingStream();
        var error = await Assert.ThrowsAsync<OciException>(() =>
            TestModules.Client().PullModuleAsync(OciReference.Parse(reference), destination, 1 << 20, CancellationToken.None));
        return error;
    }

    private static async Task<(string Digest, long Size)> PushContainerImageAsync(RawRegistry raw, string repository, string? tag = null)
    {
        var config = System.Text.Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"{Guid.NewGuid()}\"}}");
        var layer = TestModules.Random(500);
        var configDigest = await raw.PushBlobAsync(repository, config);
        var layerDigest = await raw.PushBlobAsync(repository, layer);
        var manifest = new
        {
            schemaVersion = 2,
            mediaType = OciMediaTypes.ImageManifest,
            config = RawRegistry.Descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.Length),
            layers = new[] { RawRegistry.Descriptor(ContainerLayer, layerDigest, layer.Length) },
        };
        var digest = await raw.PushManifestAsync(repository, tag ?? "image-" + Guid.NewGuid().ToString("N")[..8], OciMediaTypes.ImageManifest, manifest);
        return (digest, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(manifest).Length);
    }

    private static async Task<long> ManifestSizeAsync(string address, string repository, string digest)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{address}/v2/{repository}/manifests/{digest}");
        request.Headers.Accept.ParseAdd(OciMediaTypes.ImageManifest);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }
}

/// <summary>A stream that cannot seek, as a pipe would be: the client spools it to disk for the digest pass.</summary>
internal sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
{
    public override bool CanSeek => false;
}
