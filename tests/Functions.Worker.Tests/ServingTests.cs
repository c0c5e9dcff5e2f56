using System.Net;
using System.Text;

namespace Functions.Worker.Tests;

/// <summary>What a client sees: the WAGI contract over real HTTP, from a deployed function on a running worker.</summary>
public sealed class ServingTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    private HttpClient Worker => fixture.Worker;

    private async Task<string> Deploy(string app, string route, string module, object? limits = null, string? entrypoint = null,
        object? environment = null, string? argv = null)
    {
        await fixture.DeployAsync(app, new { route, module = await fixture.DigestOf(module), entrypoint, limits, environment, argv });
        return route;
    }

    [Fact]
    public async Task A_deployed_hello_answers_with_its_body_and_a_request_id()
    {
        await Deploy("hello", "/hello", "hello-wat");
        using var response = await Worker.GetAsync(new Uri("/hello", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("REQUEST_METHOD=GET", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.TryGetValues("X-Request-Id", out var ids) && ids.Single().Length >= 16);
    }

    [Fact]
    public async Task The_module_sees_the_request_as_cgi_variables()
    {
        await Deploy("envdump", "/env/...", "hello-c", environment: new Dictionary<string, string> { ["GREETING"] = "hi", ["HTTP_X_TOKEN"] = "configured" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/env/a%20b/c?x=1&y=two")
        {
            Content = new StringContent("12345", Encoding.UTF8, "text/csv"),
        };
        request.Headers.Add("X-Token", "from-client");
        request.Headers.Add("X-Multi", ["one", "two"]);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "secret");
        using var response = await Worker.SendAsync(request);
        var env = (await response.Content.ReadAsStringAsync()).Split('\n')
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        var port = Worker.BaseAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("POST", env["REQUEST_METHOD"]);
        Assert.Equal("x=1&y=two", env["QUERY_STRING"]);
        Assert.Equal("/env", env["SCRIPT_NAME"]);
        Assert.Equal("/a b/c", env["PATH_INFO"]);
        Assert.Equal("/a%20b/c", env["X_RAW_PATH_INFO"]);
        Assert.Equal("/env/...", env["X_MATCHED_ROUTE"]);
        Assert.Equal("5", env["CONTENT_LENGTH"]);
        Assert.StartsWith("text/csv", env["CONTENT_TYPE"]);
        Assert.Equal("127.0.0.1", env["SERVER_NAME"]);
        Assert.Equal(port, env["SERVER_PORT"]);
        Assert.Equal("127.0.0.1", env["REMOTE_ADDR"]);
        Assert.Equal($"http://127.0.0.1:{port}/env/a%20b/c?x=1&y=two", env["X_FULL_URL"]);
        Assert.Equal("one, two", env["HTTP_X_MULTI"]);
        Assert.Equal("hi", env["GREETING"]);
        Assert.Equal("configured", env["HTTP_X_TOKEN"]);
        Assert.False(env.ContainsKey("HTTP_AUTHORIZATION"));
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), env["X_REQUEST_ID"]);
        Assert.StartsWith("Functions/", env["SERVER_SOFTWARE"]);
    }

    [Fact]
    public async Task A_posted_body_reaches_stdin_unchanged()
    {
        await Deploy("echo", "/echo", "echo");
        var body = new byte[200_000];
        new Random(3).NextBytes(body);
        using var response = await Worker.PostAsync(new Uri("/echo", UriKind.Relative), new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Argv_is_the_path_then_the_raw_query_items()
    {
        await Deploy("args", "/args", "args");
        var text = await Worker.GetStringAsync(new Uri("/args?a=1&b=%20x", UriKind.Relative));
        Assert.Contains("/args\na=1\nb=%20x\n", text);
    }

    [Fact]
    public async Task A_path_no_route_matches_answers_404_naming_the_request_id()
    {
        using var response = await Worker.GetAsync(new Uri("/nothing-here", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("X-Request-Id").Single(), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("loop", 504)]
    [InlineData("trap", 500)]
    [InlineData("stackoverflow", 500)]
    [InlineData("memhog-trap", 500)]
    public async Task A_misbehaving_module_gets_its_status_and_the_worker_keeps_serving(string module, int status)
    {
        await Deploy($"bad-{module}", $"/bad/{module}", module, limits: new { timeoutMs = 500, memoryMb = 16 });
        using var response = await Worker.GetAsync(new Uri($"/bad/{module}", UriKind.Relative));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.DoesNotContain("wasm", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        using var health = await fixture.Management.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Output_over_the_limit_answers_502()
    {
        await Deploy("bigout", "/bigout", "bigoutput", environment: new Dictionary<string, string> { ["BYTES"] = "100000000" });
        using var response = await Worker.GetAsync(new Uri("/bigout", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Theory]
    [InlineData("3", null, 500)]
    [InlineData("3", "1", 418)]
    [InlineData("0", null, 200)]
    public async Task Exit_codes_map_to_the_contracts_statuses(string code, string? withStatus, int status)
    {
        var env = new Dictionary<string, string> { ["EXIT_CODE"] = code, ["WITH_OUTPUT"] = "1" };
        if (withStatus is not null)
        {
            env["WITH_STATUS"] = withStatus;
        }

        await Deploy($"exit-{code}-{withStatus ?? "n"}", $"/exit/{code}/{withStatus ?? "n"}", "exit", environment: env);
        using var response = await Worker.GetAsync(new Uri($"/exit/{code}/{withStatus ?? "n"}", UriKind.Relative));
        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_routes_limit_answers_413_without_running_the_module()
    {
        await Deploy("small", "/small", "echo", limits: new { maxBodyBytes = 1000 });
        using var response = await Worker.PostAsync(new Uri("/small", UriKind.Relative), new ByteArrayContent(new byte[5000]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Past_the_concurrency_limit_requests_get_503_with_retry_after()
    {
        await Deploy("narrow", "/narrow", "spin", limits: new { maxConcurrency = 1 }, environment: new Dictionary<string, string> { ["SPIN_MS"] = "1500" });
        var slow = Worker.GetAsync(new Uri("/narrow", UriKind.Relative));
        await Task.Delay(300);
        using var rejected = await Worker.GetAsync(new Uri("/narrow", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.NotNull(rejected.Headers.RetryAfter);
        using var first = await slow;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
    }

    [Fact]
    public async Task Headers_from_the_module_are_sent_repeated_and_location_redirects()
    {
        await Deploy("raw", "/raw", "headers", environment: new Dictionary<string, string>
        {
            ["RAW_OUTPUT"] = "Location: /elsewhere\\r\\nSet-Cookie: a=1\\r\\nSet-Cookie: b=2\\r\\nBad Header: x\\r\\n\\r\\nmoved",
        });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Worker.BaseAddress };
        using var response = await client.GetAsync(new Uri("/raw", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/elsewhere", response.Headers.Location?.OriginalString);
        Assert.Equal(["a=1", "b=2"], response.Headers.GetValues("Set-Cookie"));
        Assert.Equal("moved", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_count_requests_per_route_in_prometheus_text()
    {
        await Deploy("metered", "/metered", "hello-wat");
        await Worker.GetStringAsync(new Uri("/metered", UriKind.Relative));
        var metrics = await fixture.Management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("functions_requests_total{route=\"/metered\",status=\"200\"}", metrics);
        Assert.Contains("functions_request_duration_seconds_bucket{route=\"/metered\"", metrics);
        Assert.Contains("functions_applied_generation", metrics);
        Assert.Contains("functions_pool_hits{route=\"/metered\"}", metrics);

        // The runtime's own: modules in memory (at least the one just served) and the slot budget in use.
        var loaded = metrics.Split('\n').Single(l => l.StartsWith("functions_modules_in_memory ", StringComparison.Ordinal));
        Assert.True(double.Parse(loaded.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 1, loaded);
        Assert.Contains("functions_module_memory_bytes ", metrics);
        Assert.Contains("functions_live_instances ", metrics);
    }
}
