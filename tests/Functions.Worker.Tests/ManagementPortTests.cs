using System.Net;

namespace Functions.Worker.Tests;

/// <summary>
/// The worker's own endpoints live on a management port of their own: on the invocation port every path, theirs
/// included, is a function's; the management port answers health, readiness and metrics, and nothing else.
/// </summary>
public sealed class ManagementPortTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Theory]
    [InlineData("/metrics")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task A_function_bound_at_a_management_path_answers_it_on_the_invocation_port(string route)
    {
        await fixture.DeployAsync($"own{route.Replace('/', '-')}", new { route, module = await fixture.DigestOf("hello-c") });

        using var response = await fixture.Worker.GetAsync(new Uri(route, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains($"X_MATCHED_ROUTE={route}", body, StringComparison.Ordinal);
        Assert.DoesNotContain("functions_requests_total", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_invocation_port_shows_no_metrics_when_no_function_is_bound_there()
    {
        using var metrics = await fixture.Worker.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var health = await fixture.Worker.GetAsync(new Uri("/healthz", UriKind.Relative));

        // /metrics and /healthz may be bound by the theory above (the fixture is shared): unbound they are a plain 404.
        Assert.DoesNotContain("functions_requests_total", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual("ok", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_management_port_answers_health_readiness_and_metrics()
    {
        Assert.Equal("ok", await fixture.Management.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.StartsWith("ready: generation ", await fixture.Management.GetStringAsync(new Uri("/readyz", UriKind.Relative)), StringComparison.Ordinal);
        using var metrics = await fixture.Management.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        Assert.Contains("functions_applied_generation", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/mgmt-only-fn")]
    [InlineData("/healthz/more")]
    [InlineData("/")]
    public async Task The_management_port_answers_404_for_any_other_path_even_a_function_s(string path)
    {
        await fixture.DeployAsync("mgmt-only-fn", new { route = "/mgmt-only-fn", module = await fixture.DigestOf("hello-wat") });
        Assert.Equal(HttpStatusCode.OK, (await fixture.Worker.GetAsync(new Uri("/mgmt-only-fn", UriKind.Relative))).StatusCode);

        using var response = await fixture.Management.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("REQUEST_METHOD", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_control_plane_hears_the_invocation_address_not_the_management_one()
    {
        var nodes = await fixture.Platform.WorkerNodesAsync();
        var address = (string?)nodes.Single(n => (string?)n!["nodeId"] == "worker-w1")!["address"];

        Assert.Equal(fixture.Platform.Workers[0].Address.AbsoluteUri.TrimEnd('/'), address?.TrimEnd('/'));
    }
}
