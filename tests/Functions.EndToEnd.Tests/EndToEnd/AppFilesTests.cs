using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Functions.Testing;
using Functions.Testing.Hosts;

namespace Functions.EndToEnd.Tests.EndToEnd;

/// <summary>
/// App files (issue 13) on the whole platform as processes: a control plane and two workers, each asserting what
/// every worker serves. File bundles reach workers from the control plane alone: no folder is shared.
/// </summary>
public sealed class AppFilesTests : IAsyncLifetime
{
    // ncolesummers/wasm-portfolio: a Bartholomew (WAGI-era CMS, Apache-2.0) site, CC0, with its modules.toml, the
    // prebuilt bartholomew.wasm and deislabs' fileserver.gr.wasm (MIT), and its content, templates, scripts, config
    // and static folders. Read from a local mirror, never copied here.
    private const string PortfolioRepository = "ncolesummers/wasm-portfolio";
    private const string PortfolioCommit = "a3f06f3ceb7a0d5847618abf43960bf97f5c8530";

    private readonly string _scratch = Directory.CreateTempSubdirectory("functions-appfiles-").FullName;
    private TestPlatform? _platform;

    public async Task InitializeAsync() => _platform = await TestPlatform.StartAsync("appfiles", workers: 2);

    [Fact]
    public async Task A_bundle_at_the_root_is_served_by_every_worker_through_redeploy_rollback_and_an_emptied_cache()
    {
        var platform = _platform!;
        var module = await platform.UploadAsync(Fixtures.Bytes("readfile"));
        var first = await UploadBundleAsync(("hello.txt", "first bundle\n"), ("docs/readme.md", "# docs\n"));
        var second = await UploadBundleAsync(("hello.txt", "second bundle\n"));
        object Route(string bundle) => new
        {
            route = "/file",
            module,
            environment = new Dictionary<string, string> { ["FILE_PATH"] = "/hello.txt" },
            files = new Dictionary<string, string> { ["/"] = bundle },
        };

        await platform.DeployAsync("site", Route(first));
        await EveryWorkerAnswers("/file", "first bundle\n");

        await platform.DeployAsync("site", Route(second));
        await EveryWorkerAnswers("/file", "second bundle\n");

        await platform.RollbackAsync("site", 1);
        await EveryWorkerAnswers("/file", "first bundle\n");

        // A bundle a release refers to cannot be deleted.
        using (var refused = await platform.Admin.DeleteAsync(new Uri($"api/v1/files/{first}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        // A worker restarted with an empty cache downloads the bundle again and serves the same bytes.
        var worker = platform.Workers[0];
        var nodeId = worker.Name;
        await platform.StopWorkerAsync(worker);
        var cache = platform.WorkerCacheDirectory(nodeId);
        Assert.True(Directory.Exists(cache), $"the worker's cache {cache} was never written");
        Directory.Delete(cache, recursive: true);
        await platform.StartWorkerAsync(nodeId);
        await EveryWorkerAnswers("/file", "first bundle\n");
    }

    [Fact]
    public async Task A_bundle_over_kestrels_default_30_MB_body_limit_uploads_through_the_real_host_and_is_served()
    {
        var platform = _platform!;
        var big = new byte[40 * 1024 * 1024];
        Random.Shared.NextBytes(big);
        var digest = await UploadBundleAsync(("big.bin", big));
        var module = await platform.UploadAsync(Fixtures.Bytes("readfile"));

        await platform.DeployAsync("big", new
        {
            route = "/big",
            module,
            environment = new Dictionary<string, string> { ["FILE_PATH"] = "/data/big.bin" },
            files = new Dictionary<string, string> { ["/data"] = digest },
            limits = new { memoryMb = 256 },
        });

        foreach (var worker in platform.Workers)
        {
            using var http = new HttpClient { BaseAddress = worker.Address, Timeout = TimeSpan.FromSeconds(60) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                using var response = await http.GetAsync(new Uri("/big", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Assert.Equal(big, await response.Content.ReadAsByteArrayAsync());
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{worker.Name} did not serve /big: {(int)response.StatusCode}\n{worker.RecentOutput}");
                await Task.Delay(200);
            }
        }
    }

    [SkippableFact]
    public async Task A_third_party_bartholomew_site_imports_with_one_command_and_every_worker_serves_its_pages_and_its_404()
    {
        var site = Path.Combine(_scratch, "portfolio");
        await ThirdPartySources.ExtractAsync(PortfolioRepository, PortfolioCommit, site);
        var platform = _platform!;

        // One command, from the site's own folder and its own modules.toml: its volumes become file bundles.
        var import = await _platform!.CliAsync(site, "import-wagi", "modules.toml", "--app", "portfolio");
        Assert.True(import.Exit == 0, $"functions import-wagi: {import.Output}");
        var status = await _platform!.CliAsync(site, "status", "portfolio", "--wait", "--timeout", "120s");
        Assert.True(status.Exit == 0, $"functions status --wait: {status.Output}");

        // Bartholomew renders the Markdown of content/ through templates/ and config/site.toml ...
        var home = await EveryWorkerAnswers("/index", "Hello, I’m Nathan Summers, and welcome to my blog!");
        Assert.Contains("ncolesummers.com", home, StringComparison.Ordinal);
        await EveryWorkerAnswers("/blog/mikrotik-desktop-app", "<!DOCTYPE html>");
        // ... the Grain file server serves static/ ...
        var text = await File.ReadAllTextAsync(Path.Combine(site, "static", "example.txt"));
        Assert.Equal(text, await EveryWorkerAnswers("/static/example.txt", "This is an example of a static text file."));
        // ... and a page that does not exist is the site's own 404 page, not the platform's.
        var missing = await EveryWorkerAnswers("/no-such-page", "<!DOCTYPE html>", HttpStatusCode.NotFound);
        Assert.Contains("ncolesummers.com", missing, StringComparison.Ordinal);
    }

    private Task<string> UploadBundleAsync(params (string Path, string Text)[] files) =>
        UploadBundleAsync([.. files.Select(f => (f.Path, Encoding.UTF8.GetBytes(f.Text)))]);

    private async Task<string> UploadBundleAsync(params (string Path, byte[] Bytes)[] files)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, bytes) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path)
                {
                    DataStream = new MemoryStream(bytes),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                await writer.WriteEntryAsync(entry);
            }
        }

        using var content = new ByteArrayContent(tar.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await _platform!.Admin.PostAsync(new Uri("api/v1/files", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/v1/files: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["digest"]!.GetValue<string>();
    }

    /// <summary>Waits until every worker answers <paramref name="path"/> as expected; returns the last body.</summary>
    private async Task<string> EveryWorkerAnswers(string path, string contains, HttpStatusCode status = HttpStatusCode.OK)
    {
        var bodies = new List<string>();
        foreach (var worker in _platform!.Workers)
        {
            bodies.Add(await worker.AnswersAsync(path, (response, body) => response.StatusCode == status && body.Contains(contains, StringComparison.Ordinal),
                $"{(int)status} containing '{contains}'"));
        }

        // Every worker serves the same page (Bartholomew's pages carry no per-request values).
        Assert.All(bodies, body => Assert.Equal(bodies[0], body));
        return bodies[^1];
    }


    public async Task DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        Directory.Delete(_scratch, recursive: true);
    }
}
