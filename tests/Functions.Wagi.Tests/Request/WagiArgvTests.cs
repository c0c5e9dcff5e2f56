namespace Functions.Wagi.Tests.Request;

public sealed class WagiArgvTests
{
    public static TheoryData<string, string, string[]> DefaultArgv => new()
    {
        // raw path, raw query, argv
        { "/hello", "", ["/hello"] },
        { "/hello", "a=1", ["/hello", "a=1"] },
        { "/hello", "a=1&b=2", ["/hello", "a=1", "b=2"] },
        { "/caf%C3%A9", "x=%20y&z+w", ["/caf%C3%A9", "x=%20y", "z+w"] },
        { "/p", "flag", ["/p", "flag"] },
        { "/p", "a&&b", ["/p", "a", "", "b"] },
        { "/p", "a&", ["/p", "a", ""] },
        { "/p", "a b", ["/p", "a b"] },
    };

    [Theory]
    [MemberData(nameof(DefaultArgv))]
    public void By_default_argv_is_the_raw_path_then_each_raw_query_item(string path, string query, string[] expected)
    {
        var request = new WagiRequest { Method = "GET", RawPath = path, QueryString = query };

        Assert.Equal(expected, WagiArgv.Build(request, [], template: null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_template_means_the_default_argv(string template)
    {
        var request = new WagiRequest { Method = "GET", RawPath = "/p", QueryString = "a=1" };

        Assert.Equal(["/p", "a=1"], WagiArgv.Build(request, [], template));
    }

    public static TheoryData<string, string, string[]> TemplatedArgv => new()
    {
        // template, raw query, argv
        { "${SCRIPT_NAME} ${ARGS}", "a=1&b=2", ["/app", "a=1", "b=2"] },
        { "${SCRIPT_NAME} ${ARGS}", "", ["/app"] },
        { "prog --path=${PATH_INFO} ${ARGS}", "v", ["prog", "--path=/x", "y", "v"] },
        { "${UNKNOWN} run", "", ["run"] },
        { "  spaced\t${ARGS}  ", "a&b", ["spaced", "a", "b"] },
        { "${GREETING}!", "", ["hi!"] },
        { "cost $5 ${ARGS}", "q", ["cost", "$5", "q"] },
        { "${not closed ${ARGS}", "q", ["${not", "closed", "q"] },
        { "${1BAD} ${ARGS}", "q", ["${1BAD}", "q"] },
        { "${ARGS}${ARGS}", "a&b", ["a", "ba", "b"] },
    };

    [Theory]
    [MemberData(nameof(TemplatedArgv))]
    public void A_template_is_filled_from_the_environment_and_split_on_whitespace(string template, string query, string[] expected)
    {
        var request = new WagiRequest { Method = "GET", RawPath = "/app/x%20y", QueryString = query };
        var match = RoutePattern.Parse("/app/...").Match(request.RawPath)!;
        var env = WagiEnvironment.Build(request, match, new Dictionary<string, string> { ["GREETING"] = "hi" });

        Assert.Equal(expected, WagiArgv.Build(request, env, template));
    }

    [Theory]
    [InlineData("${SCRIPT_NAME} ${ARGS}", null)]
    [InlineData("plain words", null)]
    [InlineData("cost $5", null)]
    [InlineData("${SCRIPT_NAME", "has no closing '}'")]
    [InlineData("a ${} b", "'${}' is not a variable name")]
    [InlineData("${A-B}", "'${A-B}' is not a variable name")]
    [InlineData("${9X}", "'${9X}' is not a variable name")]
    public void A_template_is_checked_at_bind_time_with_what_to_fix(string template, string? expected)
    {
        var valid = WagiArgv.TryValidateTemplate(template, out var error);

        Assert.Equal(expected is null, valid);
        if (expected is not null)
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }
}
