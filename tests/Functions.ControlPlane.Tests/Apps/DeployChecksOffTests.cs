using System.Net;
using System.Net.Http.Json;
using Functions.ControlPlane.Tests.Support;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>A control plane with <c>Functions:DeployChecks:Enabled=false</c>.</summary>
public sealed class DeployChecksOffApp : ControlPlaneApp
{
    public override Task InitializeAsync()
    {
        Settings["Functions:DeployChecks:Enabled"] = "false";
        return base.InitializeAsync();
    }
}

public sealed class DeployChecksOffTests(DeployChecksOffApp app) : IClassFixture<DeployChecksOffApp>
{
    [Fact]
    public async Task With_deploy_checks_off_a_module_that_traps_at_start_is_stored_for_the_workers_to_refuse()
    {
        var module = await app.UploadAsync(Fixtures.Bytes("starttrap"));

        using var response = await app.Admin().PutAsJsonAsync(
            new Uri("/api/v1/apps/unchecked", UriKind.Relative), new { routes = new[] { new { route = "/unchecked", module } } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
