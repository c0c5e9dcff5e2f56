using System.Net;
using Functions.Testing;
using Functions.Testing.Hosts;

namespace Functions.Worker.Tests;

/// <summary>
/// A worker mounts volumes only under its own volumes root, after following symlinks on its own machine: the control
/// plane checked the paths when they were deployed, but a directory may since have become a symlink out of the root.
/// </summary>
public sealed class VolumeRootTests
{
    [Fact]
    public async Task A_volume_that_became_a_symlink_out_of_the_root_fails_its_app_on_the_worker_and_the_others_are_served()
    {
        await using var platform = await TestPlatform.StartAsync("volume-root", workers: 0);
        var hello = await platform.UploadAsync(Fixtures.Bytes("hello-wat"));
        var escaping = Path.Combine(platform.VolumesRoot, "escaping");
        Directory.CreateDirectory(escaping);
        Directory.CreateDirectory(Path.Combine(platform.VolumesRoot, "inside"));
        await platform.DeployAsync("vol-escape", new
        {
            route = "/vol-escape", module = hello, volumes = new Dictionary<string, string> { ["/data"] = "escaping" },
        });
        await platform.DeployAsync("vol-inside", new
        {
            route = "/vol-inside", module = hello, volumes = new Dictionary<string, string> { ["/data"] = "inside" },
        });

        // Since the deploy, on the worker's machine, the directory became a symlink out of the root.
        Directory.Delete(escaping);
        File.CreateSymbolicLink(escaping, "/etc");
        var worker = await platform.StartWorkerAsync("volume-root-w1");
        using var client = new HttpClient { BaseAddress = worker.Address };
        using var management = new HttpClient { BaseAddress = worker.Management };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/vol-inside", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/vol-escape", UriKind.Relative))).StatusCode);
        Assert.Contains("1 app failed: vol-escape", await management.GetStringAsync(new Uri("/readyz", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_without_a_volumes_root_mounts_no_volume()
    {
        await using var platform = await TestPlatform.StartAsync("volume-none", workers: 0,
            workerSettings: new Dictionary<string, string> { ["Worker__VolumesRoot"] = "" });
        var hello = await platform.UploadAsync(Fixtures.Bytes("hello-wat"));
        Directory.CreateDirectory(Path.Combine(platform.VolumesRoot, "data"));
        await platform.DeployAsync("vol-none", new
        {
            route = "/vol-none", module = hello, volumes = new Dictionary<string, string> { ["/data"] = "data" },
        });
        await platform.DeployAsync("plain", new { route = "/plain", module = hello });

        var worker = await platform.StartWorkerAsync("volume-none-w1");
        using var client = new HttpClient { BaseAddress = worker.Address };
        using var management = new HttpClient { BaseAddress = worker.Management };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/plain", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/vol-none", UriKind.Relative))).StatusCode);
        Assert.Contains("1 app failed: vol-none", await management.GetStringAsync(new Uri("/readyz", UriKind.Relative)), StringComparison.Ordinal);
    }
}
