namespace Functions.Wagi.Tests.Routing;

public sealed class DynamicRoutesTests
{
    // What dynamic-routes.wasm (deislabs/wagi test data, in the shared corpus) prints from its _routes export.
    private const string CorpusRoutesOutput = "/exact on_exact\n/wildcard/... on_wildcard\n/main _start\n";

    private static readonly Dictionary<string, string> FirstLineOfExport = new()
    {
        ["_start"] = "This is the main entry point",
        ["on_exact"] = "This is the .../exact handler",
        ["on_wildcard"] = "This is the .../wildcard/... handler",
    };

    public static TheoryData<string, string, string, string, string, string> CorpusExpectations => new()
    {
        // parent, request path, first line, SCRIPT_NAME, PATH_INFO, X_MATCHED_ROUTE (corpus README table)
        { "/wildcardparent/...", "/wildcardparent", "This is the main entry point", "/wildcardparent", "", "/wildcardparent/..." },
        { "/wildcardparent/...", "/wildcardparent/fizz/buzz", "This is the main entry point", "/wildcardparent", "/fizz/buzz", "/wildcardparent/..." },
        { "/wildcardparent/...", "/wildcardparent/exact", "This is the .../exact handler", "/wildcardparent/exact", "", "/wildcardparent/exact" },
        { "/wildcardparent/...", "/wildcardparent/wildcard/fizz/buzz", "This is the .../wildcard/... handler", "/wildcardparent/wildcard", "/fizz/buzz", "/wildcardparent/wildcard/..." },
        { "/wildcardparent/...", "/wildcardparent/main", "This is the main entry point", "/wildcardparent/main", "", "/wildcardparent/main" },
        { "/exactparent", "/exactparent", "This is the main entry point", "/exactparent", "", "/exactparent" },
        { "/exactparent", "/exactparent/exact", "This is the .../exact handler", "/exactparent/exact", "", "/exactparent/exact" },
        { "/exactparent", "/exactparent/wildcard/fizz/buzz", "This is the .../wildcard/... handler", "/exactparent/wildcard", "/fizz/buzz", "/exactparent/wildcard/..." },
    };

    [Theory]
    [MemberData(nameof(CorpusExpectations))]
    public void Dynamic_routes_of_the_corpus_module_route_and_describe_requests_as_WAGI_does(
        string parent, string path, string firstLine, string scriptName, string pathInfo, string matchedRoute)
    {
        var parentPattern = RoutePattern.Parse(parent);
        var routes = DynamicRoutes.Parse(CorpusRoutesOutput, parentPattern);
        var table = new RouteTable<string>(
            [(parentPattern, "_start"), .. routes.Select(r => (r.Pattern, r.Entrypoint))]);

        var match = table.Match(path);

        Assert.NotNull(match);
        Assert.Equal(firstLine, FirstLineOfExport[match.Value]);
        var env = EnvironmentFor(match);
        Assert.Equal(scriptName, env[WagiVariables.ScriptName]);
        Assert.Equal(pathInfo, env[WagiVariables.PathInfo]);
        Assert.Equal(pathInfo, env[WagiVariables.RawPathInfo]);
        Assert.Equal(matchedRoute, env[WagiVariables.MatchedRoute]);
    }

    [Fact]
    public void Dynamic_routes_under_an_exact_parent_do_not_serve_its_siblings()
    {
        var parent = RoutePattern.Parse("/exactparent");
        var routes = DynamicRoutes.Parse(CorpusRoutesOutput, parent);
        var table = new RouteTable<string>([(parent, "_start"), .. routes.Select(r => (r.Pattern, r.Entrypoint))]);

        Assert.Null(table.Match("/exactparent/fizz"));
        Assert.Null(table.Match("/exactparentx"));
    }

    [Fact]
    public void Each_line_gives_a_route_under_the_parent_its_export_and_its_line_number()
    {
        var routes = DynamicRoutes.Parse("\n/hello hello\r\n\n  /bye/...\tau_revoir  \n", RoutePattern.Parse("/app/..."));

        Assert.Equal(
            [new DynamicRoute(RoutePattern.Parse("/app/hello"), "hello", 2), new DynamicRoute(RoutePattern.Parse("/app/bye/..."), "au_revoir", 4)],
            routes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("  \r\n")]
    public void Output_without_routes_declares_none(string output)
    {
        Assert.Empty(DynamicRoutes.Parse(output, RoutePattern.Parse("/app")));
    }

    [Theory]
    [InlineData("/hello", "line 1: '/hello' should be '<sub-path> <export>'")]
    [InlineData("/ok ok\n/hello hello extra", "line 2: '/hello hello extra' should be '<sub-path> <export>'")]
    [InlineData("/a//b handler", "line 1: sub-path '/a//b' does not make a valid route under '/app/...': route '/app/a//b' has an empty segment")]
    [InlineData("/a/.../b handler", "line 1: sub-path '/a/.../b' does not make a valid route")]
    [InlineData("/a?x handler", "contains '?'")]
    [InlineData("/... handler", "line 1: sub-path '/...' resolves to '/app/...' itself")]
    [InlineData("/x one\n\n/x two", "line 3: route '/app/x' was already declared on line 1")]
    public void A_bad_line_is_reported_with_its_number(string output, string expected)
    {
        Assert.False(DynamicRoutes.TryParse(output, RoutePattern.Parse("/app/..."), out var routes, out var errors));

        Assert.Null(routes);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_bad_line_is_reported_at_once_and_Parse_throws_listing_them()
    {
        const string output = "/good good\nbad\n/also bad line\n/fine fine";

        var thrown = Assert.Throws<FormatException>(() => DynamicRoutes.Parse(output, RoutePattern.Parse("/app")));

        Assert.Contains("2 bad line(s)", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("line 2:", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("line 3:", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("'/app'", thrown.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> EnvironmentFor(RouteMatch match)
    {
        var request = new WagiRequest { Method = "GET", RawPath = match.RawPath, Host = "localhost:3000" };
        return WagiEnvironment.Build(request, match).ToDictionary(v => v.Key, v => v.Value);
    }
}
