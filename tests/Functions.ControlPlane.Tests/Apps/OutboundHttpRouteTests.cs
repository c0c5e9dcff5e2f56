using System.Net;
using System.Net.Http.Json;
using Functions.Contracts;
using Functions.Contracts.Api;
using Functions.ControlPlane.Tests.Support;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>A route's allowedHosts and maxOutboundConcurrency, from the deploy through Postgres to the views, the
/// workers' desired state and a rollback.</summary>
public sealed class OutboundHttpRouteTests(ValidationApp app) : IClassFixture<ValidationApp>
{
    private static readonly string[] Normalised = ["https://api.example.com", "http://10.0.0.5:8080", "http://[::1]:9000"];
    private static readonly string[] AsWritten =
        ["HTTPS://API.Example.com:443/", "http://10.0.0.5:8080", " https://api.example.com ", "http://[::1]:9000"];
    private static readonly string[] OneHost = ["https://api.example.com"];
    private static readonly string[] TwoBad = ["https://ok.example.com", "api.example.com", "https://x.example.com/path"];

    [Fact]
    public async Task Allowed_hosts_are_stored_normalised_with_duplicates_collapsed_and_read_back_in_every_view()
    {
        await app.DeployAsync("outbound-views", new
        {
            routes = new object[]
            {
                new
                {
                    route = "/outbound-views", module = app.Hello, maxOutboundConcurrency = 3,
                    allowedHosts = AsWritten,
                },
            },
        });

        var release = (await app.Admin().GetFromJsonAsync<ReleaseView>("/api/v1/apps/outbound-views/releases/1"))!;
        var active = (await app.Admin().GetFromJsonAsync<AppView>("/api/v1/apps/outbound-views"))!;
        var binding = await BindingAsync("outbound-views");

        Assert.Equal(Normalised, release.Routes[0].AllowedHosts);
        Assert.Equal(3, release.Routes[0].MaxOutboundConcurrency);
        Assert.Equal(Normalised, active.ActiveRelease!.Routes[0].AllowedHosts);
        Assert.Equal(Normalised, binding.AllowedHosts);
        Assert.Equal(3, binding.MaxOutboundConcurrency);
    }

    [Fact]
    public async Task A_route_without_outbound_settings_allows_no_host_and_takes_the_default_concurrency()
    {
        await app.DeployAsync("outbound-none", new { routes = new[] { new { route = "/outbound-none", module = app.Hello } } });

        var release = (await app.Admin().GetFromJsonAsync<ReleaseView>("/api/v1/apps/outbound-none/releases/1"))!;
        var binding = await BindingAsync("outbound-none");

        Assert.Empty(release.Routes[0].AllowedHosts);
        Assert.Equal(OutboundOrigins.DefaultMaxConcurrency, release.Routes[0].MaxOutboundConcurrency);
        Assert.Empty(binding.AllowedHosts ?? []);
        Assert.Equal(OutboundOrigins.DefaultMaxConcurrency, binding.MaxOutboundConcurrency);
    }

    [Fact]
    public async Task A_rollback_restores_the_outbound_settings_of_the_release_it_activates()
    {
        await app.DeployAsync("outbound-rollback", new
        {
            routes = new[] { new { route = "/outbound-rollback", module = app.Hello, allowedHosts = OneHost, maxOutboundConcurrency = 2 } },
        });
        await app.DeployAsync("outbound-rollback", new { routes = new[] { new { route = "/outbound-rollback", module = app.Hello } } });
        Assert.Empty((await BindingAsync("outbound-rollback")).AllowedHosts ?? []);

        using var response = await app.Admin().PostAsJsonAsync(
            new Uri("/api/v1/apps/outbound-rollback/rollback", UriKind.Relative), new { version = 1 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var binding = await BindingAsync("outbound-rollback");
        Assert.Equal(["https://api.example.com"], binding.AllowedHosts);
        Assert.Equal(2, binding.MaxOutboundConcurrency);
    }

    [Fact]
    public async Task A_bad_origin_is_reported_under_its_own_index_with_the_others_left_alone()
    {
        using var response = await app.Admin().PutAsJsonAsync(new Uri("/api/v1/apps/outbound-bad", UriKind.Relative), new
        {
            routes = new[] { new { route = "/outbound-bad", module = app.Hello, allowedHosts = TwoBad } },
        });
        var problem = (await response.Content.ReadFromJsonAsync<Problem>())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["routes[0].allowedHosts[1]", "routes[0].allowedHosts[2]"], problem.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("write https://api.example.com", problem.Errors["routes[0].allowedHosts[1]"][0], StringComparison.Ordinal);
        Assert.Contains("drop '/path'", problem.Errors["routes[0].allowedHosts[2]"][0], StringComparison.Ordinal);
    }

    private sealed record Problem(Dictionary<string, string[]> Errors);

    private async Task<RouteBinding> BindingAsync(string appName)
    {
        var state = (await app.Worker().GetFromJsonAsync<DesiredState>("/internal/v1/desired-state"))!;
        return Assert.Single(state.Routes, r => r.App == appName);
    }
}
