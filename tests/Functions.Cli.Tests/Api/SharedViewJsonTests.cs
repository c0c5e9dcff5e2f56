using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Functions.Cli.Api;
using Functions.Cli.Tests.Support;
using Functions.Contracts;
using Functions.Contracts.Api;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Functions.Cli.Tests.Api;

/// <summary>
/// The views are one set of records (Functions.Contracts.Api), but the control plane writes them with its JSON options
/// (nulls written) and the CLI reads and writes them with its source-generated ones (nulls left out): both must agree.
/// </summary>
public sealed class SharedViewJsonTests(ControlPlaneFixture platform) : IClassFixture<ControlPlaneFixture>
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 30, 0, TimeSpan.Zero);

    private JsonSerializerOptions Server =>
        platform.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    [Fact]
    public void A_release_the_control_plane_writes_reads_back_the_same_through_the_cli()
    {
        var route = new RouteView(
            "/hello/...", "sha256:" + new string('a', 64), "_start", new Dictionary<string, string> { ["GREETING_NAME"] = "hi" },
            null, [new VolumeMount("/data", "/srv/data", true)], new RouteLimits(1000, 64, 4096, 8),
            new Dictionary<string, string> { ["/static"] = "sha256:" + new string('b', 64) });

        AssertRoundTrips(new ReleaseView("hello", 3, At, 42, true, [route]), ApiJson.Default.ReleaseView);
    }

    [Fact]
    public void A_page_of_workers_with_missing_generations_and_errors_reads_back_the_same_through_the_cli()
    {
        var workers = new WorkerList(7, 0, 100, 2,
        [
            new WorkerView("w1", "http://w1:8080", "1.0", At, 7, null, null, [], "ready"),
            new WorkerView("w2", "http://w2:8080", "1.0", At, 6, 7, "sync failed", [new AppFailure("hello", 3, "trap")], "failed"),
        ]);

        AssertRoundTrips(workers, ApiJson.Default.WorkerList);
    }

    [Fact]
    public void A_module_and_a_file_bundle_page_read_back_the_same_through_the_cli()
    {
        AssertRoundTrips(new ModuleView
        {
            Digest = "sha256:" + new string('c', 64),
            Size = 48213,
            UploadedAt = At,
            Exports = ["_start", "_routes"],
            Entrypoints = ["_start"],
            Imports = [new ModuleImport("wasi_snapshot_preview1", "fd_write", "function")],
        }, ApiJson.Default.ModuleView);

        var bundle = new FileBundleView
        {
            Digest = "sha256:" + new string('d', 64), Size = 10, Files = 1, Entries = 3, CanonicalSize = 3072, CreatedAt = At,
        };
        AssertRoundTrips(new FileBundleDetail(bundle, new PaginatedItems<FileEntryView>(0, 20, 2,
        [
            new FileEntryView("index.html", "file", 420, 10, null),
            new FileEntryView("latest", "symlink", 511, 0, "index.html"),
        ])), ApiJson.Default.FileBundleDetail);
    }

    /// <summary>
    /// Server JSON → CLI record → CLI JSON, which is the server's without its nulls (same names, same order), and reads
    /// back on the server to the very JSON it first wrote.
    /// </summary>
    private void AssertRoundTrips<T>(T view, JsonTypeInfo<T> cli)
    {
        var written = JsonSerializer.Serialize(view, Server);

        var cliWritten = JsonSerializer.Serialize(JsonSerializer.Deserialize(written, cli)!, cli);
        var back = JsonSerializer.Deserialize<T>(cliWritten, Server)!;

        Assert.Equal(WithoutNulls(JsonNode.Parse(written))!.ToJsonString(), JsonNode.Parse(cliWritten)!.ToJsonString());
        Assert.Equal(written, JsonSerializer.Serialize(back, Server));
    }

    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    o.Remove(name);
                }

                foreach (var (_, value) in o)
                {
                    WithoutNulls(value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    WithoutNulls(item);
                }

                break;
        }

        return node;
    }
}
