using System.Net;
using System.Net.Http.Json;
using System.Text;
using Functions.ControlPlane.Tests.Support;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>A control plane whose deploy checks keep one pool and almost no module memory: every module is let go early.</summary>
public sealed class TightDeployCheckApp : ControlPlaneApp
{
    public override Task InitializeAsync()
    {
        Settings["Functions:DeployChecks:MaxLoadedModules"] = "1";
        Settings["Functions:DeployChecks:ModuleMemoryBytes"] = "1";
        return base.InitializeAsync();
    }
}

public sealed class DeployCheckMemoryTests(TightDeployCheckApp app) : IClassFixture<TightDeployCheckApp>
{
    [Fact]
    public async Task A_release_of_more_modules_than_the_checks_keep_in_memory_is_checked_whole_and_deploys()
    {
        // Four distinct modules (the hello with a custom section each): while one is tried, the others are past the
        // checking engine's bounds, and each must still be there when its own trial comes.
        var routes = new List<object>();
        for (var i = 0; i < 4; i++)
        {
            var module = await app.UploadAsync(
                WasmBinary.WithCustomSection(Fixtures.Bytes("hello-wat"), "functions-test", Encoding.UTF8.GetBytes($"{i}")));
            routes.Add(new { route = $"/tight/{i}", module });
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await app.Admin().PutAsJsonAsync(new Uri("/api/v1/apps/tight", UriKind.Relative), new { routes });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }
}
