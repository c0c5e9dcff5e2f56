namespace Functions.Wagi.Tests.Request;

public sealed class WagiEnvironmentTests
{
    private static readonly WagiRequest Request = new()
    {
        Method = "POST",
        RawPath = "/api/users/caf%C3%A9",
        QueryString = "a=1&b=%20x",
        Protocol = "HTTP/1.1",
        Scheme = "http",
        Host = "example.com:8080",
        LocalAddress = "10.0.0.5",
        LocalPort = 5000,
        RemoteAddress = "192.0.2.7",
        Headers =
        [
            new("Host", "example.com:8080"),
            new("User-Agent", "curl/8.5"),
            new("Accept", "*/*"),
            new("Content-Type", "application/json"),
        ],
        ContentLength = 42,
        ContentType = "application/json",
        RequestId = "req-123",
    };

    public static TheoryData<string, string> EveryRequestVariable => new()
    {
        { "REQUEST_METHOD", "POST" },
        { "SERVER_PROTOCOL", "HTTP/1.1" },
        { "GATEWAY_INTERFACE", "CGI/1.1" },
        { "SERVER_SOFTWARE", "Functions/1" },
        { "SERVER_NAME", "example.com" },
        { "SERVER_PORT", "8080" },
        { "REMOTE_ADDR", "192.0.2.7" },
        { "REMOTE_HOST", "192.0.2.7" },
        { "AUTH_TYPE", "" },
        { "REMOTE_USER", "" },
        { "QUERY_STRING", "a=1&b=%20x" },
        { "SCRIPT_NAME", "/api" },
        { "PATH_INFO", "/users/caf\u00e9" },
        { "PATH_TRANSLATED", "/users/caf\u00e9" },
        { "X_RAW_PATH_INFO", "/users/caf%C3%A9" },
        { "X_MATCHED_ROUTE", "/api/..." },
        { "X_FULL_URL", "http://example.com:8080/api/users/caf%C3%A9?a=1&b=%20x" },
        { "CONTENT_LENGTH", "42" },
        { "CONTENT_TYPE", "application/json" },
        { "X_REQUEST_ID", "req-123" },
        { "HTTP_HOST", "example.com:8080" },
        { "HTTP_USER_AGENT", "curl/8.5" },
        { "HTTP_ACCEPT", "*/*" },
        { "HTTP_CONTENT_TYPE", "application/json" },
    };

    [Theory]
    [MemberData(nameof(EveryRequestVariable))]
    public void Every_request_gets_the_WAGI_variable(string name, string value)
    {
        var env = Build(Request, "/api/...");

        Assert.Equal(value, env[name]);
    }

    [Fact]
    public void The_environment_holds_exactly_the_CGI_variables_and_the_headers()
    {
        var env = WagiEnvironment.Build(Request, Match("/api/...", Request.RawPath));

        Assert.Equal(
            EveryRequestVariable.Select(row => (string)row[0]).Order(StringComparer.Ordinal),
            env.Select(v => v.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_server_software_can_be_named_by_the_caller()
    {
        Assert.Equal("Functions/2", Build(Request, "/api/...", serverSoftware: "Functions/2")["SERVER_SOFTWARE"]);
    }

    [Theory]
    [InlineData("example.com:8080", "http", "example.com", "8080", "http://example.com:8080/p")]
    [InlineData("example.com", "http", "example.com", "80", "http://example.com/p")]
    [InlineData("example.com", "https", "example.com", "443", "https://example.com/p")]
    [InlineData("example.com:443", "https", "example.com", "443", "https://example.com:443/p")]
    [InlineData("[::1]:8080", "http", "[::1]", "8080", "http://[::1]:8080/p")]
    [InlineData("[::1]", "https", "[::1]", "443", "https://[::1]/p")]
    [InlineData("[2001:db8::1]:81", "http", "[2001:db8::1]", "81", "http://[2001:db8::1]:81/p")]
    [InlineData(null, "http", "10.0.0.5", "5000", "http://10.0.0.5:5000/p")]
    [InlineData("", "http", "10.0.0.5", "5000", "http://10.0.0.5:5000/p")]
    [InlineData("[::1", "http", "10.0.0.5", "5000", "http://10.0.0.5:5000/p")]
    [InlineData("example.com:http", "http", "10.0.0.5", "5000", "http://10.0.0.5:5000/p")]
    [InlineData("example.com:99999", "http", "10.0.0.5", "5000", "http://10.0.0.5:5000/p")]
    [InlineData("[::1]x", "http", "10.0.0.5", "5000", "http://10.0.0.5:5000/p")]
    public void The_server_name_and_port_come_from_the_Host_header_else_the_local_address(
        string? host, string scheme, string serverName, string serverPort, string fullUrl)
    {
        var request = new WagiRequest
        {
            Method = "GET", RawPath = "/p", Host = host, Scheme = scheme, LocalAddress = "10.0.0.5", LocalPort = 5000,
        };

        var env = Build(request, "/p");

        Assert.Equal(serverName, env["SERVER_NAME"]);
        Assert.Equal(serverPort, env["SERVER_PORT"]);
        Assert.Equal(fullUrl, env["X_FULL_URL"]);
    }

    [Theory]
    [InlineData("::1", 8080, "http", "[::1]", "8080", "http://[::1]:8080/p")]
    [InlineData("10.0.0.5", 80, "http", "10.0.0.5", "80", "http://10.0.0.5/p")]
    [InlineData("10.0.0.5", 443, "https", "10.0.0.5", "443", "https://10.0.0.5/p")]
    [InlineData("10.0.0.5", 0, "http", "10.0.0.5", "80", "http://10.0.0.5/p")]
    public void Without_a_Host_header_the_local_address_is_written_as_an_authority(
        string address, int port, string scheme, string serverName, string serverPort, string fullUrl)
    {
        var request = new WagiRequest { Method = "GET", RawPath = "/p", Scheme = scheme, LocalAddress = address, LocalPort = port };

        var env = Build(request, "/p");

        Assert.Equal(serverName, env["SERVER_NAME"]);
        Assert.Equal(serverPort, env["SERVER_PORT"]);
        Assert.Equal(fullUrl, env["X_FULL_URL"]);
    }

    [Theory]
    [InlineData("/exact", "/exact", "/exact", "", "", "/exact")]
    [InlineData("/", "/", "/", "", "", "/")]
    [InlineData("/app/...", "/app", "/app", "", "", "/app/...")]
    [InlineData("/app/...", "/app/", "/app", "/", "/", "/app/...")]
    [InlineData("/app/...", "/app/a%2Fb/c%20d", "/app", "/a/b/c d", "/a%2Fb/c%20d", "/app/...")]
    [InlineData("/...", "/", "/", "/", "/", "/...")]
    [InlineData("/...", "/x/y", "/", "/x/y", "/x/y", "/...")]
    public void Script_name_and_path_info_describe_the_matched_route(
        string route, string path, string scriptName, string pathInfo, string rawPathInfo, string matchedRoute)
    {
        var env = Build(new WagiRequest { Method = "GET", RawPath = path }, route);

        Assert.Equal(scriptName, env["SCRIPT_NAME"]);
        Assert.Equal(pathInfo, env["PATH_INFO"]);
        Assert.Equal(pathInfo, env["PATH_TRANSLATED"]);
        Assert.Equal(rawPathInfo, env["X_RAW_PATH_INFO"]);
        Assert.Equal(matchedRoute, env["X_MATCHED_ROUTE"]);
    }

    [Fact]
    public void A_request_without_query_body_or_content_type_gets_empty_values_and_length_zero()
    {
        var env = Build(new WagiRequest { Method = "GET", RawPath = "/p", Host = "h" }, "/p");

        Assert.Equal("", env["QUERY_STRING"]);
        Assert.Equal("0", env["CONTENT_LENGTH"]);
        Assert.Equal("", env["CONTENT_TYPE"]);
        Assert.Equal("http://h/p", env["X_FULL_URL"]);
    }

    [Theory]
    [InlineData("X-Custom-Header", "HTTP_X_CUSTOM_HEADER")]
    [InlineData("accept-language", "HTTP_ACCEPT_LANGUAGE")]
    [InlineData("DNT", "HTTP_DNT")]
    public void A_header_becomes_an_upper_cased_HTTP_variable_with_dashes_as_underscores(string header, string variable)
    {
        var env = Build(WithHeaders(KeyValuePair.Create(header, "v")), "/p");

        Assert.Equal("v", env[variable]);
    }

    [Fact]
    public void Repeated_headers_are_joined_with_a_comma_in_arrival_order()
    {
        var env = Build(WithHeaders(new("Accept", "text/html"), new("X-Other", "1"), new("accept", "application/json")), "/p");

        Assert.Equal("text/html, application/json", env["HTTP_ACCEPT"]);
    }

    [Theory]
    [InlineData("X_Forwarded_User")]
    [InlineData("x_forwarded_user")]
    [InlineData("X-Forwarded_User")]
    public void A_header_name_with_an_underscore_is_dropped_so_it_cannot_spoof_its_dashed_twin(string spoof)
    {
        var env = Build(WithHeaders(new(spoof, "admin"), new("X-Forwarded-User", "alice")), "/p");

        Assert.Equal("alice", env["HTTP_X_FORWARDED_USER"]);
        Assert.DoesNotContain(Build(WithHeaders(KeyValuePair.Create(spoof, "admin")), "/p").Keys, name => name.StartsWith("HTTP_X_FORWARDED", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Proxy")]
    [InlineData("proxy")]
    [InlineData("PROXY")]
    public void A_Proxy_header_never_becomes_HTTP_PROXY(string header)
    {
        var env = Build(WithHeaders(new(header, "http://attacker.example:8080"), new("X-Kept", "yes")), "/p");

        Assert.False(env.ContainsKey("HTTP_PROXY"));
        Assert.Equal("yes", env["HTTP_X_KEPT"]);
    }

    [Fact]
    public void Repeated_headers_are_joined_when_there_are_many_headers()
    {
        var headers = Enumerable.Range(0, 40).Select(i => new KeyValuePair<string, string>($"X-H{i % 20}", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var env = WagiEnvironment.Build(WithHeaders([.. headers]), Match("/p", "/p"));

        Assert.Equal(20, env.Count(v => v.Key.StartsWith("HTTP_X_H", StringComparison.Ordinal)));
        Assert.Equal("3, 23", env.Single(v => v.Key == "HTTP_X_H3").Value);
    }

    [Theory]
    [InlineData("Authorization", "Bearer secret")]
    [InlineData("authorization", "Basic x")]
    [InlineData("Proxy-Authorization", "Basic x")]
    [InlineData("Proxy_Authorization", "Basic x")]
    [InlineData("Connection", "keep-alive")]
    [InlineData("Keep-Alive", "timeout=5")]
    [InlineData("TE", "trailers")]
    [InlineData("Trailer", "Expires")]
    [InlineData("Transfer-Encoding", "chunked")]
    [InlineData("Upgrade", "websocket")]
    [InlineData("Proxy-Connection", "keep-alive")]
    public void Credentials_and_hop_by_hop_headers_are_never_passed(string header, string value)
    {
        var env = Build(WithHeaders(new(header, value), new("X-Kept", "yes")), "/p");

        Assert.Equal("yes", env["HTTP_X_KEPT"]);
        Assert.DoesNotContain(env.Values, v => v == value);
    }

    [Fact]
    public void Headers_named_in_Connection_are_hop_by_hop_and_not_passed()
    {
        var env = Build(
            WithHeaders(new("Connection", "keep-alive, X-Hop"), new("X-Hop", "1"), new("connection", "x-other"), new("X-Other", "2"), new("X-Kept", "3")),
            "/p");

        Assert.False(env.ContainsKey("HTTP_X_HOP"));
        Assert.False(env.ContainsKey("HTTP_X_OTHER"));
        Assert.False(env.ContainsKey("HTTP_CONNECTION"));
        Assert.Equal("3", env["HTTP_X_KEPT"]);
    }

    [Theory]
    [InlineData("Bad Name", "v")]
    [InlineData("Bad:Name", "v")]
    [InlineData("", "v")]
    [InlineData("X-Nul", "a\0b")]
    public void A_header_that_cannot_be_a_variable_is_left_out(string header, string value)
    {
        var env = WagiEnvironment.Build(WithHeaders(KeyValuePair.Create(header, value)), Match("/p", "/p"));

        Assert.DoesNotContain(env, v => v.Key.StartsWith("HTTP_", StringComparison.Ordinal));
    }

    [Fact]
    public void Configured_variables_are_set_and_come_first()
    {
        var configured = new Dictionary<string, string> { ["GREETING"] = "hello", ["DB"] = "postgres://x" };

        var env = WagiEnvironment.Build(Request, Match("/api/...", Request.RawPath), configured);

        Assert.Equal(new KeyValuePair<string, string>("GREETING", "hello"), env[0]);
        Assert.Equal(new KeyValuePair<string, string>("DB", "postgres://x"), env[1]);
    }

    [Fact]
    public void A_CGI_variable_overrides_a_configured_one_of_the_same_name()
    {
        var configured = new Dictionary<string, string> { ["REQUEST_METHOD"] = "FAKE", ["SCRIPT_NAME"] = "/fake" };

        var env = Build(Request, "/api/...", configured);

        Assert.Equal("POST", env["REQUEST_METHOD"]);
        Assert.Equal("/api", env["SCRIPT_NAME"]);
    }

    [Fact]
    public void No_header_can_override_a_configured_variable()
    {
        var configured = new Dictionary<string, string> { ["HTTP_X_ROLE"] = "configured" };

        var env = Build(WithHeaders(new("X-Role", "admin"), new("X_Role", "root")), "/p", configured);

        Assert.Equal("configured", env["HTTP_X_ROLE"]);
    }

    [Fact]
    public void The_worker_process_environment_is_never_visible()
    {
        var env = Build(Request, "/api/...");

        Assert.False(env.ContainsKey("PATH"));
        Assert.False(env.ContainsKey("HOME"));
    }

    private static WagiRequest WithHeaders(params KeyValuePair<string, string>[] headers) =>
        new() { Method = "GET", RawPath = "/p", Host = "h", Headers = headers };

    private static RouteMatch Match(string route, string path) =>
        RoutePattern.Parse(route).Match(path) ?? throw new InvalidOperationException($"{route} does not match {path}");

    /// <summary>Builds the environment, checking no name repeats, as a dictionary.</summary>
    private static Dictionary<string, string> Build(
        WagiRequest request, string route, Dictionary<string, string>? configured = null, string serverSoftware = "Functions/1")
    {
        var env = WagiEnvironment.Build(request, Match(route, request.RawPath), configured, serverSoftware);
        Assert.Equal(env.Count, env.Select(v => v.Key).Distinct(StringComparer.Ordinal).Count());
        return env.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
    }
}
