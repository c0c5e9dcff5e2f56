using Functions.Contracts;
using Functions.Worker.Sync;

namespace Functions.Worker.Tests;

/// <summary>How a worker tells an unchanged app (kept as it is) from a changed one (rebuilt).</summary>
public sealed class AppBindingsTests
{
    [Fact]
    public void Bindings_read_twice_from_the_same_desired_state_are_the_same()
    {
        Assert.Equal(AppBindings.Fingerprint([Binding("v1")]), AppBindings.Fingerprint([Binding("v1")]));
    }

    [Fact]
    public void A_changed_environment_variable_is_a_change_even_though_routes_and_modules_are_the_same()
    {
        Assert.NotEqual(AppBindings.Fingerprint([Binding("v1")]), AppBindings.Fingerprint([Binding("v2")]));
    }

    [Fact]
    public void A_route_added_to_the_app_is_a_change()
    {
        Assert.NotEqual(AppBindings.Fingerprint([Binding("v1")]), AppBindings.Fingerprint([Binding("v1"), Binding("v1") with { Route = "/other" }]));
    }

    private static RouteBinding Binding(string greeting) => new(
        "shop", 1, "/shop", "sha256:00", "_start", new Dictionary<string, string> { ["GREETING"] = greeting }, null,
        [new VolumeMount("/data", "/srv/data", false)], RouteLimits.Default, ["_start"]);
}
