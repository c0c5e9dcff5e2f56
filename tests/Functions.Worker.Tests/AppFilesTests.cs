using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Functions.Files;
using Functions.Testing;
using Functions.Testing.Hosts;
using Npgsql;

namespace Functions.Worker.Tests;

/// <summary>
/// File bundles as a worker serves them, with a real control plane (Postgres, RabbitMQ) and worker processes: uploaded,
/// mounted read-only at a route's guest path, unpacked once per digest, removed when no route mounts them, downloaded
/// again into an empty cache, and a corrupt one failing only its own app.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class AppFilesTests
{
    private static readonly byte[] Hello = "hello from a bundle\n"u8.ToArray();

    [Fact]
    public async Task A_route_serves_a_bundles_files_read_only_from_one_download_and_the_folder_goes_with_its_last_route()
    {
        await using var platform = await TestPlatform.StartAsync("files-serve", workers: 0);
        var worker = await platform.StartWorkerAsync("files-serve-w1");
        using var client = new HttpClient { BaseAddress = worker.Address };
        using var management = new HttpClient { BaseAddress = worker.Management };
        var readfile = await platform.UploadAsync(Fixtures.Bytes("readfile"));
        var data = RandomNumberGenerator.GetBytes(200_000);
        var bundle = await UploadBundleAsync(platform, ("hello.txt", Hello), ("sub/data.bin", data));

        await DeployAsync(platform, management, "site", Route("/site", readfile, bundle, "/", new() { ["FILE_PATH"] = "/hello.txt" }));
        await DeployAsync(platform, management, "data", Route("/data", readfile, bundle, "/static", new() { ["FILE_PATH"] = "/static/sub/data.bin" }));
        await DeployAsync(platform, management, "writer", Route("/writer", readfile, bundle, "/",
            new() { ["FILE_PATH"] = "/hello.txt", ["WRITE_PATH"] = "/hello.txt", ["WRITE_CONTENT"] = "overwritten" }));

        Assert.Equal(Hello, await client.GetByteArrayAsync(new Uri("/site", UriKind.Relative)));
        Assert.Equal(data, await client.GetByteArrayAsync(new Uri("/data", UriKind.Relative)));
        using (var write = await client.GetAsync(new Uri("/writer", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        }

        Assert.Equal(Hello, await client.GetByteArrayAsync(new Uri("/site", UriKind.Relative)));
        var bundles = BundlesFolder(platform, "files-serve-w1");
        Assert.Equal([BundleDigest.Hex(bundle)], Directory.GetDirectories(bundles).Select(Path.GetFileName));
        var metrics = await management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("functions_bundle_downloads_total{outcome=\"ok\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"functions_bundle_bytes {Hello.Length + data.Length}\n", metrics, StringComparison.Ordinal);

        // Two of the three routes stop mounting it: it stays; the last one stops: it goes.
        await DeployAsync(platform, management, "site", new { route = "/site", module = readfile });
        await DeployAsync(platform, management, "data", new { route = "/data", module = readfile });
        Assert.True(Directory.Exists(Path.Combine(bundles, BundleDigest.Hex(bundle))));
        await platform.DeleteAppAsync("writer");
        await WaitUntilAsync(() => Directory.GetFileSystemEntries(bundles).Length == 0, "the bundle folder was not removed");
        Assert.Contains("functions_bundles 0\n", await management.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_restarted_with_an_empty_cache_downloads_the_bundle_again_and_serves_it()
    {
        await using var platform = await TestPlatform.StartAsync("files-restart", workers: 0);
        var readfile = await platform.UploadAsync(Fixtures.Bytes("readfile"));
        var bundle = await UploadBundleAsync(platform, ("hello.txt", Hello));
        await platform.DeployAsync("site", Route("/site", readfile, bundle, "/", new() { ["FILE_PATH"] = "/hello.txt" }));
        var worker = await platform.StartWorkerAsync("files-restart-w1");
        using (var client = new HttpClient { BaseAddress = worker.Address })
        {
            Assert.Equal(Hello, await client.GetByteArrayAsync(new Uri("/site", UriKind.Relative)));
        }

        await platform.StopWorkerAsync(worker);
        DeleteReadOnlyTree(Path.GetDirectoryName(BundlesFolder(platform, "files-restart-w1"))!); // the whole cache
        var restarted = await platform.StartWorkerAsync("files-restart-w1");

        using var again = new HttpClient { BaseAddress = restarted.Address };
        using var management = new HttpClient { BaseAddress = restarted.Management };
        Assert.Equal(Hello, await again.GetByteArrayAsync(new Uri("/site", UriKind.Relative)));
        Assert.Contains("functions_bundle_downloads_total{outcome=\"ok\"} 1\n",
            await management.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_that_arrives_corrupt_fails_only_the_app_that_mounts_it()
    {
        var name = $"files-corrupt-{Guid.NewGuid().ToString("N")[..6]}";
        await using var platform = await TestPlatform.StartAsync(name, workers: 0);
        var readfile = await platform.UploadAsync(Fixtures.Bytes("readfile"));
        var good = await UploadBundleAsync(platform, ("hello.txt", Hello));
        var bad = await UploadBundleAsync(platform, ("hello.txt", "this one rots in storage\n"u8.ToArray()));
        await platform.DeployAsync("good", Route("/good", readfile, good, "/", new() { ["FILE_PATH"] = "/hello.txt" }));
        await platform.DeployAsync("bad", Route("/bad", readfile, bad, "/", new() { ["FILE_PATH"] = "/hello.txt" }));
        await CorruptStoredBundleAsync(name, bad);

        var worker = await platform.StartWorkerAsync($"{name}-w1");
        using var client = new HttpClient { BaseAddress = worker.Address };
        using var management = new HttpClient { BaseAddress = worker.Management };

        Assert.Equal(Hello, await client.GetByteArrayAsync(new Uri("/good", UriKind.Relative)));
        using (var refused = await client.GetAsync(new Uri("/bad", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        Assert.Contains("1 app failed: bad", await management.GetStringAsync(new Uri("/readyz", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Contains("functions_bundle_downloads_total{outcome=\"corrupt\"} 1\n",
            await management.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        var node = (await platform.WorkerNodesAsync()).Single()!;
        Assert.Contains(bad, node.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal([BundleDigest.Hex(good)], Directory.GetFileSystemEntries(BundlesFolder(platform, $"{name}-w1")).Select(Path.GetFileName));
    }

    private static object Route(string route, string module, string bundle, string guestPath, Dictionary<string, string> environment) =>
        new { route, module, environment, files = new Dictionary<string, string> { [guestPath] = bundle } };

    /// <summary>Uploads the files as a tar that is not canonical (PAX headers, times, owners, reversed order).</summary>
    private static async Task<string> UploadBundleAsync(TestPlatform platform, params (string Path, byte[] Bytes)[] files)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, bytes) in files.Reverse())
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path)
                {
                    DataStream = new MemoryStream(bytes), ModificationTime = DateTimeOffset.UtcNow, Uid = 1000, UserName = "someone",
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                await writer.WriteEntryAsync(entry);
            }
        }

        using var content = new ByteArrayContent(tar.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await platform.Admin.PostAsync(new Uri("api/v1/files", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"bundle upload failed: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["digest"]!.GetValue<string>();
    }

    /// <summary>Flips one byte of the stored canonical tar (inside the first file's contents), as storage rot would.</summary>
    private static async Task CorruptStoredBundleAsync(string platformName, string digest)
    {
        var services = await PlatformServices.GetAsync();
        await using var server = new NpgsqlConnection(services.PostgresConnectionString);
        await server.OpenAsync();
        var prefix = "t_" + platformName.Replace('-', '_') + "_";
        await using var find = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", server);
        find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        var database = (string)(await find.ExecuteScalarAsync())!;

        var builder = new NpgsqlConnectionStringBuilder(services.PostgresConnectionString) { Database = database };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var flip = new NpgsqlCommand(
            "UPDATE file_bundle_chunks SET data = set_byte(data, 515, get_byte(data, 515) # 1) WHERE digest = $1 AND index = 0", connection);
        flip.Parameters.Add(new NpgsqlParameter<string> { TypedValue = digest });
        Assert.Equal(1, await flip.ExecuteNonQueryAsync());
    }

    /// <summary>Deploys and waits until the worker serves the new generation.</summary>
    private static async Task DeployAsync(TestPlatform platform, HttpClient management, string app, object route)
    {
        var generation = await platform.DeployAsync(app, route);
        await WaitUntilAsync(async () => WorkerFixture.ReadyGeneration(
            await management.GetStringAsync(new Uri("/readyz", UriKind.Relative))) >= generation, $"generation {generation} was not applied");
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(50);
        }
    }

    /// <summary>The worker's bundle folder: TestPlatform gives each node <c>&lt;scratch&gt;/cache/&lt;node id&gt;</c>.</summary>
    private static string BundlesFolder(TestPlatform platform, string nodeId) =>
        Path.Combine(Path.GetDirectoryName(platform.VolumesRoot)!, "cache", nodeId, "bundles");

    private static void DeleteReadOnlyTree(string directory)
    {
        var root = new DirectoryInfo(directory);
        root.UnixFileMode |= UnixFileMode.UserWrite;
        foreach (var folder in root.EnumerateDirectories("*", new EnumerationOptions
                 { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            folder.UnixFileMode |= UnixFileMode.UserWrite;
        }

        root.Delete(recursive: true);
    }
}
