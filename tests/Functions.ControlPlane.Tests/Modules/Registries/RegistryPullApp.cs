using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Functions.ControlPlane.Tests.Support;
using Functions.Oci;
using Functions.Testing.Registry;

namespace Functions.ControlPlane.Tests.Modules.Registries;

/// <summary>
/// The control plane beside three real registries of its own: an anonymous one, one behind htpasswd whose login the
/// control plane is configured with, and one behind a token service for which it is configured with a wrong password.
/// Plain HTTP to loopback is allowed as a setting (the environment is Testing, not Development); modules may be at
/// most <see cref="MaxModuleBytes"/>.
/// </summary>
public sealed class RegistryPullApp : ControlPlaneApp
{
    public const string Username = "puller";
    public const string Password = "pull-secret-0123";
    public const long MaxModuleBytes = 1024 * 1024;

    public RegistryServer Open { get; private set; } = null!;

    public RegistryServer Locked { get; private set; } = null!;

    public RegistryServer WrongLogin { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Open = await RegistryServer.StartAsync(RegistryAuth.None);
        Locked = await RegistryServer.StartAsync(RegistryAuth.Htpasswd(Username, Password));
        WrongLogin = await RegistryServer.StartAsync(RegistryAuth.Token(Username, Password));
        Settings["Functions:MaxModuleBytes"] = MaxModuleBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Functions:Registries:AllowInsecureLoopback"] = "true";
        Settings[$"Functions:Registries:Credentials:{Locked.Address}:Username"] = Username;
        Settings[$"Functions:Registries:Credentials:{Locked.Address}:Password"] = Password;
        Settings[$"Functions:Registries:Credentials:{WrongLogin.Address}:Username"] = Username;
        Settings[$"Functions:Registries:Credentials:{WrongLogin.Address}:Password"] = "not-the-password";
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var registry in new[] { Open, Locked, WrongLogin })
        {
            if (registry is not null)
            {
                await registry.DisposeAsync();
            }
        }
    }

    /// <summary>Pushes <paramref name="module"/> as a CNCF Wasm artifact, as <c>functions push</c> does.</summary>
    public static async Task<OciPushedModule> PushAsync(RegistryServer registry, string reference, byte[] module)
    {
        var settings = new OciRegistrySettings { AllowInsecureLoopback = true };
        if (registry.Auth is RegistryAuth.HtpasswdLogin or RegistryAuth.TokenLogin)
        {
            settings.Credentials[registry.Address] = new OciCredential { Username = Username, Password = Password };
        }

        using var http = new HttpClient();
        using var content = new MemoryStream(module);
        return await new OciClient(http, settings).PushModuleAsync(OciReference.Parse($"{registry.Address}/{reference}"), content, default);
    }

    /// <summary>
    /// Pushes an image manifest by hand to the anonymous registry: one layer of <paramref name="mediaType"/> holding
    /// <paramref name="layer"/>; returns the layer's digest.
    /// </summary>
    public async Task<string> PushRawAsync(string repository, string tag, byte[] layer, string mediaType)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Open.Address}/") };
        var config = "{}"u8.ToArray();
        var configDigest = await PutBlobAsync(http, repository, config);
        var layerDigest = await PutBlobAsync(http, repository, layer);
        var manifest = $$"""
            {"schemaVersion":2,"mediaType":"{{OciMediaTypes.ImageManifest}}",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},
             "layers":[{"mediaType":"{{mediaType}}","digest":"{{layerDigest}}","size":{{layer.Length}}}]}
            """;
        using var body = new StringContent(manifest, Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue(OciMediaTypes.ImageManifest);
        using var put = await http.PutAsync(new Uri($"v2/{repository}/manifests/{tag}", UriKind.Relative), body);
        put.EnsureSuccessStatusCode();
        return layerDigest;
    }

    /// <summary>
    /// Overwrites a blob in the anonymous registry's storage with other bytes of the same length, as a disk fault or
    /// an attacker would: the registry serves them under the old digest. The blob's digest is unique to the test.
    /// </summary>
    public static void Corrupt(string digest)
    {
        var hex = digest["sha256:".Length..];
        var blob = Directory.EnumerateDirectories(Path.GetTempPath(), "functions-registry-*")
            .Select(root => Path.Combine(root, "data", "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data"))
            .Single(File.Exists);
        var bytes = File.ReadAllBytes(blob);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(blob, bytes);
    }

    private static async Task<string> PutBlobAsync(HttpClient http, string repository, byte[] blob)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
        using var start = await http.PostAsync(new Uri($"v2/{repository}/blobs/uploads/", UriKind.Relative), null);
        start.EnsureSuccessStatusCode();
        var location = new Uri(http.BaseAddress!, start.Headers.Location!);
        var separator = location.Query.Length == 0 ? "?" : "&";
        using var content = new ByteArrayContent(blob);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var put = await http.PutAsync(new Uri($"{location}{separator}digest={Uri.EscapeDataString(digest)}"), content);
        put.EnsureSuccessStatusCode();
        return digest;
    }
}
