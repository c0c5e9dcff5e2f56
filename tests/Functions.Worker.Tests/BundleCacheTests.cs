using System.Collections.Concurrent;
using Functions.Files;
using Functions.Worker.Hosting;
using Functions.Worker.Metrics;
using Functions.Worker.Serving;
using Functions.Worker.Sync;
using System.Runtime.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Tests;

/// <summary>
/// The worker's file bundle cache against a stand-in for the control plane's internal download, served by Kestrel on
/// loopback (real HTTP), so that it can answer with bytes that are not the bundle asked for.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class BundleCacheTests : IAsyncLifetime, IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("functions-bundle-cache-").FullName;
    private readonly ConcurrentDictionary<string, byte[]> _served = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _stalled = new(StringComparer.Ordinal);
    private TaskCompletionSource _gate = CompletedGate();
    private WebApplication _server = null!;
    private HttpClient _http = null!;

    private string CacheDirectory => Path.Combine(_scratch, "cache");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/internal/v1/files/{digest}/content", async (string digest, HttpContext context) =>
        {
            _requests.AddOrUpdate(digest, 1, (_, n) => n + 1);
            await _gate.Task;
            if (!_served.TryGetValue(digest, out var bytes))
            {
                return Results.NotFound();
            }

            if (_stalled.ContainsKey(digest))
            {
                // Half the body, then silence until the client gives up (a control plane stuck mid-download).
                context.Response.ContentType = "application/x-tar";
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await context.Response.Body.FlushAsync();
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.Empty;
            }

            return Results.Bytes(bytes, "application/x-tar");
        });
        await _server.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_server.Urls.First() + "/") };
    }

    public void Dispose() => _http.Dispose();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        BundleExtractorDelete(_scratch);
    }

    [Fact]
    public async Task A_bundle_is_unpacked_read_only_under_its_digest_and_downloaded_once()
    {
        var digest = await ServeAsync(("hello.txt", "hello, files\n"), ("sub/inner.txt", "inner"));
        var metrics = NewMetrics();
        var cache = NewCache(metrics);

        var path = await cache.EnsureAsync(digest, CancellationToken.None);
        var again = await cache.EnsureAsync(digest, CancellationToken.None);

        Assert.Equal(Path.Combine(CacheDirectory, "bundles", BundleDigest.Hex(digest)), path);
        Assert.Equal(path, again);
        Assert.Equal("hello, files\n", await File.ReadAllTextAsync(Path.Combine(path, "hello.txt")));
        Assert.Equal("inner", await File.ReadAllTextAsync(Path.Combine(path, "sub", "inner.txt")));
        Assert.Equal(0, (int)(File.GetUnixFileMode(Path.Combine(path, "hello.txt")) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)));
        Assert.Equal(1, _requests[digest]);
        Assert.Equal(1, metrics.BundleDownloads.WithLabels("ok").Value);
        Assert.Equal(1, metrics.Bundles.Value);
        Assert.Equal("hello, files\n".Length + "inner".Length, metrics.BundleBytes.Value);
        Assert.Empty(Directory.GetDirectories(cache.Root, ".tmp-*"));
    }

    [Fact]
    public async Task Callers_asking_for_a_bundle_being_downloaded_wait_on_the_same_download()
    {
        var digest = await ServeAsync(("a.txt", "a"));
        var cache = NewCache(NewMetrics());
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 8).Select(_ => cache.EnsureAsync(digest, CancellationToken.None)).ToList();
        while (!_requests.ContainsKey(digest))
        {
            await Task.Delay(10);
        }

        _gate.SetResult();
        var paths = await Task.WhenAll(callers);

        Assert.Single(paths.Distinct());
        Assert.Equal(1, _requests[digest]);
    }

    [Fact]
    public async Task Bytes_that_are_not_the_bundle_asked_for_are_refused_and_leave_nothing_behind()
    {
        var real = await ServeAsync(("hello.txt", "the real one"));
        var other = await ServeAsync(("hello.txt", "a different one"));
        var garbage = BundleDigest.Prefix + new string('7', 64);
        _served[real] = _served[other]; // the server answers with another bundle's (valid) tar
        _served[garbage] = "not a tar at all, but long enough to be read as one or not"u8.ToArray();
        var metrics = NewMetrics();
        var cache = NewCache(metrics);

        var wrong = await Assert.ThrowsAsync<InvalidDataException>(() => cache.EnsureAsync(real, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidDataException>(() => cache.EnsureAsync(garbage, CancellationToken.None));

        Assert.Contains(real, wrong.Message, StringComparison.Ordinal);
        Assert.Equal(2, metrics.BundleDownloads.WithLabels("corrupt").Value);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Root));
        Assert.Equal(0, metrics.Bundles.Value);

        // A later try downloads again (a failure is not remembered), and succeeds once the right bytes are served.
        _served[real] = await TarOfAsync(("hello.txt", "the real one"));
        var path = await cache.EnsureAsync(real, CancellationToken.None);
        Assert.Equal("the real one", await File.ReadAllTextAsync(Path.Combine(path, "hello.txt")));
    }

    [Fact]
    public async Task A_bundle_the_control_plane_does_not_have_fails_with_its_status()
    {
        var cache = NewCache(NewMetrics());
        var missing = BundleDigest.Prefix + new string('a', 64);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => cache.EnsureAsync(missing, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Root));
    }

    [Fact]
    public async Task Start_up_removes_leftover_temporary_folders_even_read_only_ones_and_keeps_unpacked_bundles()
    {
        var digest = await ServeAsync(("keep.txt", "kept"));
        var first = NewCache(NewMetrics());
        var kept = await first.EnsureAsync(digest, CancellationToken.None);
        var leftover = Path.Combine(first.Root, $".tmp-{BundleDigest.Hex(digest)}-0123456789abcdef");
        Directory.CreateDirectory(Path.Combine(leftover, "deep"));
        await File.WriteAllTextAsync(Path.Combine(leftover, "deep", "half.txt"), "half");
        File.SetUnixFileMode(Path.Combine(leftover, "deep", "half.txt"), UnixFileMode.UserRead);
        File.SetUnixFileMode(Path.Combine(leftover, "deep"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        File.SetUnixFileMode(leftover, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var metrics = NewMetrics();
        var restarted = NewCache(metrics);

        Assert.False(Directory.Exists(leftover));
        Assert.True(Directory.Exists(kept));
        Assert.Equal(1, metrics.Bundles.Value);
        Assert.Equal("kept".Length, metrics.BundleBytes.Value);
        Assert.Equal(kept, await restarted.EnsureAsync(digest, CancellationToken.None));
        Assert.Equal(1, _requests[digest]);
    }

    [Fact]
    public async Task Collecting_against_a_state_that_mounts_no_bundle_removes_every_bundle()
    {
        var digest = await ServeAsync(("a/b/c.txt", "c"));
        var metrics = NewMetrics();
        var cache = NewCache(metrics);
        var path = await cache.EnsureAsync(digest, CancellationToken.None);

        cache.Collect(ServingState.Empty, []);

        Assert.False(Directory.Exists(path));
        Assert.Empty(Directory.GetFileSystemEntries(cache.Root));
        Assert.Equal(0, metrics.Bundles.Value);
        Assert.Equal(0, metrics.BundleBytes.Value);
    }

    [Fact]
    public void A_bundle_cache_other_users_can_write_is_refused()
    {
        var bundles = Directory.CreateDirectory(Path.Combine(CacheDirectory, "bundles"));
        File.SetUnixFileMode(bundles.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute);

        var error = Assert.Throws<InvalidOperationException>(() => NewCache(NewMetrics()));

        Assert.Contains("chmod 700", error.Message, StringComparison.Ordinal);
    }

    private BundleCache NewCache(WorkerMetrics metrics, TimeSpan? downloadIdleTimeout = null) => new(new ControlPlaneClient(_http), metrics,
        Options.Create(new WorkerOptions
        {
            CacheDirectory = CacheDirectory,
            DownloadIdleTimeout = downloadIdleTimeout ?? new WorkerOptions().DownloadIdleTimeout,
        }),
        NullLogger<BundleCache>.Instance);

    [Fact]
    public async Task A_download_that_stalls_midway_is_abandoned_after_the_idle_timeout_and_leaves_nothing()
    {
        var digest = await ServeAsync(("big.bin", new string('x', 256 * 1024)));
        _stalled[digest] = true;
        var metrics = NewMetrics();
        var cache = NewCache(metrics, downloadIdleTimeout: TimeSpan.FromSeconds(1));

        // Without the idle timeout the download waits forever; the guard only keeps a regression from hanging the run.
        var error = await Assert.ThrowsAsync<HttpIOException>(
            () => cache.EnsureAsync(digest, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("Worker:DownloadIdleTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, metrics.BundleDownloads.WithLabels("failed").Value);
        Assert.Empty(Directory.GetDirectories(cache.Root));

        _stalled.TryRemove(digest, out _);
        Assert.Equal("x", (await File.ReadAllTextAsync(Path.Combine(await cache.EnsureAsync(digest, CancellationToken.None), "big.bin")))[..1]);
    }

    private static WorkerMetrics NewMetrics() => new(Prometheus.Metrics.NewCustomRegistry());

    /// <summary>Serves the canonical tar of the given files under its digest; returns the digest.</summary>
    private async Task<string> ServeAsync(params (string Path, string Text)[] files)
    {
        var tar = await TarOfAsync(files);
        var digest = BundleDigest.FromHash(System.Security.Cryptography.SHA256.HashData(tar));
        _served[digest] = tar;
        return digest;
    }

    private async Task<byte[]> TarOfAsync(params (string Path, string Text)[] files)
    {
        var source = Directory.CreateDirectory(Path.Combine(_scratch, "source-" + Guid.NewGuid().ToString("N"))).FullName;
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            await File.WriteAllTextAsync(Path.Combine(source, path), text);
        }

        using var tar = new MemoryStream();
        await BundleBuilder.FromDirectoryAsync(source, tar, CancellationToken.None);
        return tar.ToArray();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private static void BundleExtractorDelete(string directory)
    {
        foreach (var folder in new DirectoryInfo(directory).EnumerateDirectories("*", new EnumerationOptions
                 { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            folder.UnixFileMode |= UnixFileMode.UserWrite;
        }

        Directory.Delete(directory, recursive: true);
    }
}
