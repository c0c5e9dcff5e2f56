using Functions.Contracts;
using Functions.Worker.Serving;

namespace Functions.Worker.Tests;

/// <summary>Which routes share a pool, and with it a concurrency limit.</summary>
public sealed class PoolKeyTests
{
    [Fact]
    public void Two_routes_of_one_app_binding_the_same_module_and_limits_do_not_share_a_pool()
    {
        Assert.NotEqual(PoolKey.For(Binding("shop", "/a"), "_start"), PoolKey.For(Binding("shop", "/b"), "_start"));
    }

    [Fact]
    public void Two_apps_binding_the_same_module_at_the_same_route_do_not_share_a_pool()
    {
        Assert.NotEqual(PoolKey.For(Binding("shop", "/a"), "_start"), PoolKey.For(Binding("blog", "/a"), "_start"));
    }

    [Fact]
    public void A_route_bound_again_as_it_was_keeps_its_pool()
    {
        Assert.Equal(PoolKey.For(Binding("shop", "/a"), "_start"), PoolKey.For(Binding("shop", "/a") with { Release = 2 }, "_start"));
    }

    [Fact]
    public void A_route_that_mounts_another_file_bundle_gets_a_new_pool()
    {
        var one = Binding("shop", "/a") with { Files = [new FileMount("/", "sha256:" + new string('1', 64))] };
        var other = Binding("shop", "/a") with { Files = [new FileMount("/", "sha256:" + new string('2', 64))] };
        var elsewhere = Binding("shop", "/a") with { Files = [new FileMount("/static", "sha256:" + new string('1', 64))] };

        Assert.NotEqual(PoolKey.For(one, "_start"), PoolKey.For(other, "_start"));
        Assert.NotEqual(PoolKey.For(one, "_start"), PoolKey.For(elsewhere, "_start"));
        Assert.NotEqual(PoolKey.For(one, "_start"), PoolKey.For(Binding("shop", "/a"), "_start"));
        Assert.Equal(PoolKey.For(one, "_start"), PoolKey.For(one with { Release = 2 }, "_start"));
    }

    [Fact]
    public void A_route_whose_outbound_allow_list_or_concurrency_changes_gets_a_new_pool()
    {
        var binding = Binding("shop", "/a");
        var allowed = new Functions.Runtime.OutboundHttpSettings { AllowedHosts = ["https://api.example.com"] };

        Assert.NotEqual(PoolKey.For(binding, "_start", allowed), PoolKey.For(binding, "_start", Functions.Runtime.OutboundHttpSettings.None));
        Assert.NotEqual(PoolKey.For(binding, "_start", allowed),
            PoolKey.For(binding, "_start", allowed with { AllowedHosts = ["https://api.example.com", "https://b.example.com"] }));
        Assert.NotEqual(PoolKey.For(binding, "_start", allowed), PoolKey.For(binding, "_start", allowed with { MaxConcurrency = 2 }));
        Assert.Equal(PoolKey.For(binding, "_start", allowed),
            PoolKey.For(binding with { Release = 2 }, "_start", new Functions.Runtime.OutboundHttpSettings { AllowedHosts = ["https://api.example.com"] }));
    }

    private static RouteBinding Binding(string app, string route) => new(
        app, 1, route, "sha256:00", "_start", new Dictionary<string, string>(), null, [], RouteLimits.Default, ["_start"]);
}
