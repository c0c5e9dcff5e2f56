namespace Functions.Wagi.Tests.Routing;

public sealed class RoutePatternTests
{
    [Theory]
    [InlineData("/", false, "/", "/")]
    [InlineData("/hello", false, "/hello", "/hello")]
    [InlineData("/hello/", false, "/hello/", "/hello/")]
    [InlineData("/a/b%20c", false, "/a/b%20c", "/a/b%20c")]
    [InlineData("/api/...", true, "/api", "/api")]
    [InlineData("/a/b/...", true, "/a/b", "/a/b")]
    [InlineData("/...", true, "", "/")]
    public void A_valid_route_exposes_its_prefix_and_script_name(string text, bool isWildcard, string prefix, string scriptName)
    {
        var pattern = RoutePattern.Parse(text);

        Assert.Equal(text, pattern.Text);
        Assert.Equal(isWildcard, pattern.IsWildcard);
        Assert.Equal(prefix, pattern.Prefix);
        Assert.Equal(scriptName, pattern.ScriptName);
        Assert.Equal(text, pattern.ToString());
    }

    [Theory]
    [InlineData("", "route is empty")]
    [InlineData("hello", "must start with '/'")]
    [InlineData("hello/...", "must start with '/'")]
    [InlineData("/a/.../b", "'...' may only appear as the last segment '/...'")]
    [InlineData("/.../b", "'...' may only appear as the last segment '/...'")]
    [InlineData("/a...", "'...' may only appear as the last segment '/...'")]
    [InlineData("/a/b....", "'...' may only appear as the last segment '/...'")]
    [InlineData("/a?b=1", "contains '?'")]
    [InlineData("/a#top", "contains '#'")]
    [InlineData("/a b", "contains whitespace")]
    [InlineData("/a\tb", "contains whitespace")]
    [InlineData("/a//b", "empty segment '//'")]
    [InlineData("//", "empty segment '//'")]
    [InlineData("/a//...", "empty segment '//'")]
    [InlineData("/a/./b", "'.' segment")]
    [InlineData("/a/../b", "'..' segment")]
    [InlineData("/..", "'..' segment")]
    [InlineData("/caf\u00e9", "percent-encode it as UTF-8")]
    [InlineData("/a\u0001", "control character")]
    [InlineData("/100%", "not followed by two hex digits")]
    [InlineData("/a%2g", "not followed by two hex digits")]
    public void An_invalid_route_is_refused_with_what_to_fix(string text, string expected)
    {
        Assert.False(RoutePattern.TryParse(text, out var pattern, out var error));

        Assert.Null(pattern);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        var thrown = Assert.Throws<FormatException>(() => RoutePattern.Parse(text));
        Assert.Equal(error, thrown.Message);
    }

    [Fact]
    public void A_route_longer_than_the_limit_is_refused()
    {
        var text = "/" + new string('a', RoutePattern.MaxLength);

        Assert.False(RoutePattern.TryParse(text, out _, out var error));
        Assert.Contains("the limit is 1024", error, StringComparison.Ordinal);
        Assert.True(RoutePattern.TryParse(text[..RoutePattern.MaxLength], out _, out _));
    }

    [Fact]
    public void A_null_route_is_refused_by_TryParse()
    {
        Assert.False(RoutePattern.TryParse(null, out _, out var error));
        Assert.Contains("empty", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a", "/a", true)]
    [InlineData("/a", "/a/", false)]
    [InlineData("/a", "/ab", false)]
    [InlineData("/a", "/A", false)]
    [InlineData("/a/", "/a/", true)]
    [InlineData("/a/", "/a", false)]
    [InlineData("/a/...", "/a", true)]
    [InlineData("/a/...", "/a/", true)]
    [InlineData("/a/...", "/a/x/y", true)]
    [InlineData("/a/...", "/ab", false)]
    [InlineData("/a/...", "/", false)]
    [InlineData("/...", "/", true)]
    [InlineData("/...", "/anything/at/all", true)]
    public void A_route_matches_only_the_paths_it_serves(string route, string path, bool matches)
    {
        Assert.Equal(matches, RoutePattern.Parse(route).IsMatch(path));
        Assert.Equal(matches, RoutePattern.Parse(route).Match(path) is not null);
    }

    [Fact]
    public void Routes_with_the_same_text_are_equal()
    {
        Assert.Equal(RoutePattern.Parse("/a/..."), RoutePattern.Parse("/a/..."));
        Assert.NotEqual(RoutePattern.Parse("/a/..."), RoutePattern.Parse("/a"));
    }

    [Theory]
    [InlineData("/wildcardparent/...", "/exact", "/wildcardparent/exact")]
    [InlineData("/wildcardparent/...", "/wildcard/...", "/wildcardparent/wildcard/...")]
    [InlineData("/exactparent", "/exact", "/exactparent/exact")]
    [InlineData("/exactparent", "/wildcard/...", "/exactparent/wildcard/...")]
    [InlineData("/exactparent/", "/exact", "/exactparent/exact")]
    [InlineData("/...", "/exact", "/exact")]
    [InlineData("/", "/exact", "/exact")]
    [InlineData("/p", "no-slash", "/p/no-slash")]
    [InlineData("/p", "/", "/p/")]
    public void A_sub_path_is_placed_under_the_parent_route(string parent, string subPath, string expected)
    {
        Assert.True(RoutePattern.Parse(parent).TryAppend(subPath, out var combined, out var error), error);
        Assert.Equal(expected, combined.Text);
    }
}
