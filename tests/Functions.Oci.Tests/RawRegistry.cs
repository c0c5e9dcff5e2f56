using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Functions.Oci.Tests;

/// <summary>
/// Writes blobs and hand-made manifests straight through the distribution API, to put in a real registry what other
/// tools push (wasm-to-oci, indexes, container images) or what no honest client pushes (a wrong layer size).
/// </summary>
internal sealed class RawRegistry(string address, string? username = null, string? password = null) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://{address}/") };

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public async Task<string> PushBlobAsync(string repository, byte[] blob)
    {
        var digest = Digest(blob);
        using var start = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = new Uri(http.BaseAddress!, start.Headers.Location!);
        var put = new UriBuilder(location) { Query = location.Query.TrimStart('?') + "&digest=" + digest }.Uri;
        using var done = await SendAsync(new HttpRequestMessage(HttpMethod.Put, put) { Content = new ByteArrayContent(blob) });
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        return digest;
    }

    /// <summary>Pushes a manifest (any JSON) under <paramref name="tag"/>; returns its digest.</summary>
    public async Task<string> PushManifestAsync(string repository, string tag, string mediaType, object manifest)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{tag}") { Content = content });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"PUT manifest: {(int)response.StatusCode} {body}");
        return Digest(bytes);
    }

    public static object Descriptor(string mediaType, string digest, long size) => new { mediaType, digest, size };

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (username is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        }

        return http.SendAsync(request);
    }

    public void Dispose() => http.Dispose();
}
