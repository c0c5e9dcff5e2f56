using System.Net;
using System.Net.Http.Json;
using Functions.ControlPlane.Tests.Support;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>A control plane given the workers' <c>Runtime</c> section with <c>MaxMemoryMbPerInstance = 64</c>.</summary>
public sealed class SmallRuntimeApp : ControlPlaneApp
{
    public override Task InitializeAsync()
    {
        Settings["Runtime:MaxMemoryMbPerInstance"] = "64";
        return base.InitializeAsync();
    }
}

public sealed class DeployCheckRuntimeSectionTests(SmallRuntimeApp app) : IClassFixture<SmallRuntimeApp>
{
    [Fact]
    public async Task The_checks_apply_the_workers_runtime_section_so_a_memory_limit_past_its_maximum_is_refused()
    {
        var module = await app.UploadAsync(Fixtures.Bytes("hello-wat"));
        var before = await app.SnapshotAsync();

        using var refused = await app.Admin().PutAsJsonAsync(new Uri("/api/v1/apps/too-big", UriKind.Relative),
            new { routes = new[] { new { route = "/too-big", module, limits = new { memoryMb = 128 } } } });
        var after = await app.SnapshotAsync();
        using var fits = await app.Admin().PutAsJsonAsync(new Uri("/api/v1/apps/fits", UriKind.Relative),
            new { routes = new[] { new { route = "/fits", module, limits = new { memoryMb = 64 } } } });

        var problem = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.Contains("routes[0].limits.memoryMb", problem, StringComparison.Ordinal);
        Assert.Contains("Runtime:MaxMemoryMbPerInstance (64 MiB)", problem, StringComparison.Ordinal);
        Assert.Equal(before, after);
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
    }
}
