using System.Collections.Concurrent;
using Functions.Runtime.Outbound;
using Functions.Testing;

namespace Functions.Runtime.Tests.Outbound;

/// <summary>
/// The <c>wasi_experimental_http</c> host functions, called by the <c>outbound</c> C fixture (written against the
/// reference ABI) against a real Kestrel server on loopback. Loopback is a private address: these runtimes allow
/// private networks, except where the refusal itself is tested.
/// </summary>
public sealed class OutboundHttpTests : IAsyncLifetime
{
    private const long Cap = 4096;
    private readonly ConcurrentQueue<OutboundCallRecord> _calls = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("functions-outbound-tests-").FullName;
    private readonly List<HttpClient> _clients = [];
    private OutboundTestServer _server = null!;
    private WasmRuntime _runtime = null!;

    public async Task InitializeAsync()
    {
        _server = await OutboundTestServer.StartAsync();
        _runtime = Runtime(new OutboundHttpOptions { AllowPrivateNetworks = true, MaxResponseBytes = Cap });
    }

    public async Task DisposeAsync()
    {
        _runtime.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _server.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }

    [Fact]
    public async Task A_get_reaches_an_allowed_host_and_the_module_reads_status_headers_and_body()
    {
        var result = await Run(Allow(_server.Origin), ("HTTP_URL", _server.Origin + "/echo"), ("HTTP_HEADERS", "X-Test:hello"),
            ("HTTP_HEADER", "X-Reply"));

        var text = result.Text();
        Assert.Contains("status=200\n", text);
        Assert.Contains("header=yes\n", text);
        Assert.Contains("x-reply:yes\n", text);
        Assert.Contains("content-type:text/plain\n", text);
        Assert.Contains("body=method=GET;x-test=hello;type=;body=\n", text);
        Assert.Contains("close=0\n", text);
        Assert.Contains("read after close=1\n", text); // invalid handle
        Assert.Equal(OutboundOutcome.Completed, Assert.Single(_calls).Outcome);
    }

    [Fact]
    public async Task A_post_sends_its_headers_and_body()
    {
        var result = await Run(Allow(_server.Origin), ("HTTP_URL", _server.Origin + "/echo"), ("HTTP_METHOD", "POST"),
            ("HTTP_HEADERS", @"Content-Type:application/json\nX-Test:two"), ("HTTP_BODY", "{\"a\":1}"));

        Assert.Contains("body=method=POST;x-test=two;type=application/json;body={\"a\":1}\n", result.Text());
    }

    [Theory]
    [InlineData(201)]
    [InlineData(404)]
    [InlineData(503)]
    public async Task Status_codes_are_passed_through(int status)
    {
        var result = await Run(Allow(_server.Origin), ("HTTP_URL", $"{_server.Origin}/status/{status}"));

        Assert.Contains($"status={status}\n", result.Text());
        Assert.Contains($"body=status {status}\n", result.Text());
    }

    [Fact]
    public async Task A_host_the_route_does_not_allow_gets_error_7_and_nothing_is_sent()
    {
        var result = await Run(Allow("http://example.com"), ("HTTP_URL", _server.Origin + "/echo"));

        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Contains("error=7\n", result.Text());
        Assert.Empty(_server.Received);
        Assert.Equal(OutboundOutcome.Forbidden, Assert.Single(_calls).Outcome);
        Assert.Equal("req-1", _calls.Single().RequestId);
    }

    [Fact]
    public async Task Another_port_of_an_allowed_host_is_not_allowed()
    {
        var result = await Run(Allow($"http://127.0.0.1:{_server.Port + 1}"), ("HTTP_URL", _server.Origin + "/echo"));

        Assert.Contains("error=7\n", result.Text());
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task No_allowed_hosts_means_no_network()
    {
        var result = await Run(OutboundHttpSettings.None, ("HTTP_URL", _server.Origin + "/echo"));

        Assert.Contains("error=7\n", result.Text());
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task A_slow_server_is_cut_off_at_the_runs_deadline_and_the_run_times_out()
    {
        var result = await Run(Allow(_server.Origin), TimeSpan.FromSeconds(1), ("HTTP_URL", _server.Origin + "/slow"));

        Assert.Equal(InvocationOutcome.TimedOut, result.Outcome);
        Assert.Equal(OutboundOutcome.TimedOut, Assert.Single(_calls).Outcome);
        await Eventually(() => _server.SlowAborted == 1); // the server saw the connection go, well before its 60 s
    }

    [Fact]
    public async Task A_call_past_the_outbound_timeout_gives_error_11_and_the_run_goes_on()
    {
        using var runtime = Runtime(new OutboundHttpOptions { AllowPrivateNetworks = true, RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var result = await Run(runtime, Allow(_server.Origin), TimeSpan.FromSeconds(20), ("HTTP_URL", _server.Origin + "/slow"));

        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Contains("error=11\n", result.Text());
        Assert.Equal(OutboundOutcome.TimedOut, Assert.Single(_calls).Outcome);
    }

    [Fact]
    public async Task Cancelling_the_run_wakes_a_call_in_flight()
    {
        using var cancel = new CancellationTokenSource();
        var run = Run(_runtime, Allow(_server.Origin), TimeSpan.FromSeconds(60), cancel.Token, ("HTTP_URL", _server.Origin + "/slow"));
        await Eventually(() => !_server.Received.IsEmpty);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run); // as any cancelled run is answered
        await Eventually(() => _server.SlowAborted == 1);
    }

    [Fact]
    public async Task A_body_over_the_cap_gives_error_11()
    {
        var within = await Run(Allow(_server.Origin), ("HTTP_URL", $"{_server.Origin}/big/{Cap}"));
        var over = await Run(Allow(_server.Origin), ("HTTP_URL", $"{_server.Origin}/big/{Cap + 1}"));

        Assert.Contains("status=200\n", within.Text());
        Assert.Contains("error=11\n", over.Text());
        Assert.Equal([OutboundOutcome.Completed, OutboundOutcome.TooLarge], _calls.Select(c => c.Outcome));
    }

    [Fact]
    public async Task A_redirect_to_a_forbidden_host_is_not_followed()
    {
        await using var other = await OutboundTestServer.StartAsync();
        var to = Uri.EscapeDataString(other.Origin + "/echo");

        var result = await Run(Allow(_server.Origin), ("HTTP_URL", $"{_server.Origin}/redirect?to={to}"));

        Assert.Contains("error=7\n", result.Text());
        Assert.Empty(other.Received);
        Assert.Equal(OutboundOutcome.RedirectForbidden, Assert.Single(_calls).Outcome);
    }

    [Fact]
    public async Task A_redirect_to_an_allowed_host_is_followed()
    {
        await using var other = await OutboundTestServer.StartAsync();
        var to = Uri.EscapeDataString(other.Origin + "/echo");

        var result = await Run(Allow(_server.Origin, other.Origin), ("HTTP_URL", $"{_server.Origin}/redirect?to={to}"));

        Assert.Contains("body=method=GET;", result.Text());
        Assert.Equal(["GET /echo"], other.Received);
    }

    [Fact]
    public async Task The_routes_outbound_concurrency_holds_across_invocations()
    {
        var settings = new OutboundHttpSettings { AllowedHosts = [_server.Origin], MaxConcurrency = 2 };
        using var pool = _runtime.CreatePool(Load(), new FunctionSettings { Name = "outbound", Outbound = settings, MaxConcurrency = 16 });

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            pool.InvokeAsync(Requests.With(("HTTP_URL", _server.Origin + "/busy"))).AsTask()));

        Assert.All(results, r => Assert.Contains("status=200\n", r.Text()));
        Assert.Equal(8, _server.Received.Count);
        Assert.Equal(2, _server.MaxInFlight); // reached, never passed
    }

    [Fact]
    public async Task A_run_holds_at_most_max_concurrency_open_responses()
    {
        var settings = new OutboundHttpSettings { AllowedHosts = [_server.Origin], MaxConcurrency = 1 };
        var result = await Run(settings, ("HTTP_URL", _server.Origin + "/echo"), ("HTTP_CALLS", "2"));

        Assert.Contains("status=200\n", result.Text()); // the fixture closes each response before the next call
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_unless_private_networks_are_allowed()
    {
        using var strict = Runtime(new OutboundHttpOptions());
        var origin = $"http://localhost:{_server.Port}";

        var refused = await Run(strict, Allow(origin), TimeSpan.FromSeconds(10), ("HTTP_URL", origin + "/echo"));
        Assert.Contains("error=7\n", refused.Text());
        Assert.Empty(_server.Received);
        Assert.Equal(OutboundOutcome.PrivateAddress, _calls.Single().Outcome);

        var allowed = await Run(Allow(origin), ("HTTP_URL", origin + "/echo"));
        Assert.Contains("status=200\n", allowed.Text());
    }

    [Theory]
    [InlineData("not a url", "10")]
    [InlineData("ftp://127.0.0.1/x", "10")]
    public async Task A_bad_url_gives_error_10(string url, string error)
    {
        var result = await Run(Allow(_server.Origin), ("HTTP_URL", url));

        Assert.Contains($"error={error}\n", result.Text());
    }

    [Fact]
    public async Task A_bad_method_gives_error_8_and_bad_headers_error_9()
    {
        var method = await Run(Allow(_server.Origin), ("HTTP_URL", _server.Origin + "/echo"), ("HTTP_METHOD", "GE T"));
        var headers = await Run(Allow(_server.Origin), ("HTTP_URL", _server.Origin + "/echo"), ("HTTP_HEADERS", "no colon here"));

        Assert.Contains("error=8\n", method.Text());
        Assert.Contains("error=9\n", headers.Text());
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task A_module_that_imports_nothing_of_it_links_as_before() =>
        Assert.Equal(InvocationOutcome.Completed,
            (await _runtime.RunOnceAsync(_runtime.LoadOrCompile("fixture:hello-c", Fixtures.Bytes("hello-c")), new FunctionSettings(),
                Requests.With())).Outcome);

    private static OutboundHttpSettings Allow(params string[] origins) => new() { AllowedHosts = origins };

    private WasmRuntime Runtime(OutboundHttpOptions options)
    {
        var client = new HttpClient(OutboundNetwork.CreateHandler(options)) { Timeout = Timeout.InfiniteTimeSpan };
        _clients.Add(client);
        return new WasmRuntime(new RuntimeOptions { CacheDirectory = _cache }, outbound: new OutboundCalls(() => client, options, _calls.Enqueue));
    }

    private CompiledModule Load() => _runtime.LoadOrCompile("fixture:outbound", Fixtures.Bytes("outbound"));

    private Task<InvocationResult> Run(OutboundHttpSettings outbound, params (string, string)[] environment) =>
        Run(_runtime, outbound, TimeSpan.FromSeconds(20), environment);

    private Task<InvocationResult> Run(OutboundHttpSettings outbound, TimeSpan timeout, params (string, string)[] environment) =>
        Run(_runtime, outbound, timeout, environment);

    private static Task<InvocationResult> Run(WasmRuntime runtime, OutboundHttpSettings outbound, TimeSpan timeout, params (string, string)[] environment) =>
        Run(runtime, outbound, timeout, CancellationToken.None, environment);

    private static Task<InvocationResult> Run(WasmRuntime runtime, OutboundHttpSettings outbound, TimeSpan timeout, CancellationToken cancel,
        params (string, string)[] environment)
    {
        var module = runtime.LoadOrCompile("fixture:outbound", Fixtures.Bytes("outbound"));
        var settings = new FunctionSettings { Name = "outbound", Timeout = timeout, Outbound = outbound };
        return runtime.RunOnceAsync(module, settings, Requests.With(environment) with { RequestId = "req-1" }, cancel);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
