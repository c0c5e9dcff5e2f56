namespace Functions.Wagi.Tests.Routing;

public sealed class RouteTableTests
{
    private static readonly string[] Routes =
    [
        "/", "/hello", "/hello/", "/api/...", "/api/v1/...", "/api/v1/users", "/static/...", "/a%20b/...",
    ];

    public static TheoryData<string, string?, string, string> Matches => new()
    {
        // path, route expected (null: no match), raw path info, decoded path info
        { "/", "/", "", "" },
        { "/hello", "/hello", "", "" },
        { "/hello/", "/hello/", "", "" },
        { "/hello/x", null, "", "" },
        { "/helloo", null, "", "" },
        { "/api", "/api/...", "", "" },
        { "/api/", "/api/...", "/", "/" },
        { "/api/x/y", "/api/...", "/x/y", "/x/y" },
        { "/apix", null, "", "" },
        { "/api/v1", "/api/v1/...", "", "" },
        { "/api/v1/users", "/api/v1/users", "", "" },
        { "/api/v1/users/7", "/api/v1/...", "/users/7", "/users/7" },
        { "/api/v10", "/api/...", "/v10", "/v10" },
        { "/static/a%2Fb/c%20d.txt", "/static/...", "/a%2Fb/c%20d.txt", "/a/b/c d.txt" },
        { "/static/caf%C3%A9", "/static/...", "/caf%C3%A9", "/caf\u00e9" },
        { "/a%20b/c", "/a%20b/...", "/c", "/c" },
        { "/a b/c", null, "", "" },
        { "/HELLO", null, "", "" },
        { "", null, "", "" },
        { "*", null, "", "" },
        { "hello", null, "", "" },
    };

    [Theory]
    [MemberData(nameof(Matches))]
    public void A_path_is_served_by_the_exact_route_or_else_the_longest_wildcard(
        string path, string? route, string rawPathInfo, string pathInfo)
    {
        var table = Table(Routes);

        var match = table.Match(path);

        if (route is null)
        {
            Assert.Null(match);
            return;
        }

        Assert.NotNull(match);
        Assert.Equal(route, match.Pattern.Text);
        Assert.Equal("value of " + route, match.Value);
        Assert.Equal(rawPathInfo, match.RawPathInfo);
        Assert.Equal(pathInfo, match.PathInfo);
        Assert.Equal(path, match.RawPath);
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/x", "/x")]
    [InlineData("/x/y/", "/x/y/")]
    [InlineData("/api/v2", "/api/v2")]
    public void The_root_wildcard_serves_every_path_with_the_whole_path_as_path_info(string path, string pathInfo)
    {
        var table = Table(["/...", "/api/v1/..."]);

        var match = table.Match(path);

        Assert.NotNull(match);
        Assert.Equal("/...", match.Pattern.Text);
        Assert.Equal("/", match.ScriptName);
        Assert.Equal(pathInfo, match.PathInfo);
    }

    [Fact]
    public void An_exact_route_beats_a_wildcard_on_the_same_path()
    {
        var table = Table(["/a/...", "/a"]);

        Assert.Equal("/a", table.Match("/a")!.Pattern.Text);
        Assert.Equal("/a/...", table.Match("/a/b")!.Pattern.Text);
    }

    [Fact]
    public void A_route_bound_twice_is_refused_naming_it()
    {
        var pairs = new[] { (RoutePattern.Parse("/x/..."), 1), (RoutePattern.Parse("/y"), 2), (RoutePattern.Parse("/x/..."), 3) };

        var thrown = Assert.Throws<ArgumentException>(() => new RouteTable<int>(pairs));

        Assert.Contains("'/x/...'", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_table_matches_nothing()
    {
        var table = new RouteTable<int>([]);

        Assert.Null(table.Match("/"));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void The_table_lists_its_routes_in_the_order_given()
    {
        var table = Table(["/b", "/a/...", "/c"]);

        Assert.Equal(3, table.Count);
        Assert.Equal(["/b", "/a/...", "/c"], table.Routes.Select(r => r.Pattern.Text));
    }

    [Fact]
    public void A_deep_path_walks_up_to_the_nearest_wildcard()
    {
        var table = Table(["/a/..."]);
        var path = "/a" + string.Concat(Enumerable.Repeat("/seg", 200));

        var match = table.Match(path);

        Assert.NotNull(match);
        Assert.Equal(path[2..], match.PathInfo);
    }

    private static RouteTable<string> Table(IEnumerable<string> routes) =>
        new(routes.Select(r => (RoutePattern.Parse(r), "value of " + r)));
}
