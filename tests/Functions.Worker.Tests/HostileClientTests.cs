using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Functions.Worker.Tests;

/// <summary>
/// A worker with small budgets (2 GiB of memory for invocations, 1 MiB of it for bodies in flight) and no minimum body
/// data rate, so that a test can hold connections half-sent for as long as it needs.
/// </summary>
public sealed class BudgetedWorkerFixture : WorkerFixture
{
    public const long MemoryBudget = 2L << 30;
    public const long BodyBudget = 1L << 20;

    protected override string Name => "worker-budgets";

    protected override IReadOnlyDictionary<string, string> WorkerSettings => new Dictionary<string, string>
    {
        ["Worker__MemoryBudgetBytes"] = MemoryBudget.ToString(CultureInfo.InvariantCulture),
        ["Worker__BodyBudgetBytes"] = BodyBudget.ToString(CultureInfo.InvariantCulture),
        ["Worker__MinRequestBodyBytesPerSecond"] = "0",
    };
}

/// <summary>
/// Clients that declare more than they send, send slowly, or send what a function must not see: a worker admits a
/// request when its route matches, charges memory for the bytes that arrive, and answers 503 (not an OOM) when its
/// budgets are spent.
/// </summary>
public sealed class HostileClientTests(BudgetedWorkerFixture fixture) : IClassFixture<BudgetedWorkerFixture>, IAsyncLifetime
{
    private const long MiB = 1024 * 1024;

    private static readonly object SmallBody = new { memoryMb = 1, maxBodyBytes = MiB };

    private HttpClient Worker => fixture.Worker;

    public Task InitializeAsync() => Task.CompletedTask;

    // Every test closes its connections: the budgets are whole again before the next one starts.
    public async Task DisposeAsync()
    {
        await UntilMetric("functions_body_budget_used_bytes", used => used == 0);
        await UntilMetric("functions_memory_budget_used_bytes", used => used == 0);
    }

    private async Task Deploy(string app, string route, string module, object limits, object? environment = null) =>
        await fixture.DeployAsync(app, new { route, module = await fixture.DigestOf(module), limits, environment });

    [Fact]
    public async Task Clients_that_declare_large_bodies_and_send_little_hold_only_what_they_sent()
    {
        await Deploy("declared", "/declared", "echo", SmallBody);
        var sockets = new List<Socket>();
        try
        {
            // 16 clients each declaring 1,000,000 bytes (16 MB in all, 15 times the worker's body budget) and sending 1 KiB.
            for (var i = 0; i < 16; i++)
            {
                sockets.Add(await SendPartAsync("/declared", declared: 1_000_000, sent: 1024));
            }

            // Each holds one 4 KiB chunk: what arrived, not what it declared.
            var used = await UntilMetric("functions_body_budget_used_bytes", used => used >= 16 * 4096);
            Assert.Equal(16 * 4096, used);

            // So the budget is there for a client that sends its body.
            var body = RandomNumberGenerator(100 * 1024);
            using var response = await Worker.PostAsync(new Uri("/declared", UriKind.Relative), new ByteArrayContent(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Bodies_past_the_workers_body_budget_get_503_naming_it_until_the_budget_is_given_back()
    {
        await Deploy("bodies", "/bodies", "echo", SmallBody);
        var body = RandomNumberGenerator(100 * 1024);
        using (var hog = await SendPartAsync("/bodies", declared: 1_000_000, sent: 600 * 1024))
        {
            await UntilMetric("functions_body_budget_used_bytes", used => used == BudgetedWorkerFixture.BodyBudget);

            using var refused = await PostProblemAsync("/bodies", body);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            var detail = await DetailAsync(refused);
            Assert.Contains("Worker:BodyBudgetBytes", detail, StringComparison.Ordinal);
        }

        await UntilMetric("functions_body_budget_used_bytes", used => used == 0);
        using var accepted = await Worker.PostAsync(new Uri("/bodies", UriKind.Relative), new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_request_is_admitted_when_its_route_matches_not_after_its_body_arrived()
    {
        await Deploy("admitted", "/admitted", "echo", new { memoryMb = 1, maxBodyBytes = MiB, maxConcurrency = 1 });
        using var slow = await SendPartAsync("/admitted", declared: 1000, sent: 10);
        await UntilMetric("functions_body_budget_used_bytes", used => used > 0);

        using var second = await Worker.PostAsync(new Uri("/admitted", UriKind.Relative), new ByteArrayContent(new byte[10]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_chunked_body_over_the_routes_limit_answers_413()
    {
        await Deploy("chunky", "/chunky", "echo", new { memoryMb = 1, maxBodyBytes = 1000 });
        using var content = new StreamContent(new MemoryStream(new byte[5000]));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/chunky", UriKind.Relative)) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Worker.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_body_still_uploading_across_a_redeploy_that_retires_its_pool_gets_its_normal_answer()
    {
        await Deploy("redeployed", "/redeployed", "echo", SmallBody);
        var body = RandomNumberGenerator(2000);
        using var upload = await SendPartAsync("/redeployed", declared: body.Length, sent: 1000, body);
        await UntilMetric("functions_body_budget_used_bytes", used => used > 0);

        // New limits: a new pool; the one the upload was admitted to is retired.
        await Deploy("redeployed", "/redeployed", "echo", new { memoryMb = 2, maxBodyBytes = MiB });
        await upload.SendAsync(body.AsMemory(1000));
        var (status, answer) = await ReadResponseAsync(upload);

        Assert.Equal(200, status);
        Assert.Equal(body, answer);
    }

    [Fact]
    public async Task Two_routes_of_one_app_on_one_module_have_a_concurrency_limit_each()
    {
        var limits = new { memoryMb = 1, maxBodyBytes = MiB, maxConcurrency = 1 };
        var digest = await fixture.DigestOf("echo");
        await fixture.DeployAsync("pair", new { route = "/pair/a", module = digest, limits }, new { route = "/pair/b", module = digest, limits });
        using var holding = await SendPartAsync("/pair/a", declared: 1000, sent: 10);
        await UntilMetric("functions_body_budget_used_bytes", used => used > 0);

        using var other = await Worker.PostAsync(new Uri("/pair/b", UriKind.Relative), new ByteArrayContent(new byte[10]));
        using var same = await Worker.PostAsync(new Uri("/pair/a", UriKind.Relative), new ByteArrayContent(new byte[10]));

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, same.StatusCode);
    }

    [Fact]
    public async Task Invocations_past_the_workers_memory_budget_get_503_naming_it()
    {
        // Each reserves 512 MiB + the 64 MiB output cap when admitted: three fit in 2 GiB, a fourth does not.
        await Deploy("heavy", "/heavy", "echo", new { memoryMb = 512, maxBodyBytes = 1024 });
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                held.Add(await SendPartAsync("/heavy", declared: 100, sent: 1));
            }

            await UntilMetric("functions_memory_budget_used_bytes", used => used >= 3 * 576 * MiB);
            using var refused = await PostProblemAsync("/heavy", new byte[10]);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("Worker:MemoryBudgetBytes", await DetailAsync(refused), StringComparison.Ordinal);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_route_that_could_never_fit_the_workers_memory_budget_fails_its_app_and_is_not_served()
    {
        await Deploy("toobig", "/toobig", "echo", new { memoryMb = 2048, maxBodyBytes = 1024 });

        using var ready = await fixture.Management.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Contains("failed: toobig", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var response = await Worker.GetAsync(new Uri("/toobig", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string? error;
        while ((error = (await fixture.Platform.WorkerNodesAsync()).SelectMany(w => w!["failedApps"]!.AsArray())
                   .Where(f => (string?)f!["app"] == "toobig").Select(f => (string?)f!["error"]).FirstOrDefault()) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the control plane never heard that toobig failed");
            await Task.Delay(100);
        }

        Assert.Contains("Worker:MemoryBudgetBytes", error, StringComparison.Ordinal);
        Assert.Contains("memoryMb", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/nul%00.txt")]
    [InlineData("/nul/a%00b")]
    public async Task A_NUL_in_the_path_never_reaches_a_function(string path)
    {
        // Kestrel refuses an encoded NUL in the request target itself, with a bare 400 (the worker's own check, with a
        // problem document, is HttpSyntax.HasNul's, tested in Functions.Wagi.Tests): a guard that it stays so.
        await Deploy("nul", "/nul/...", "echo", SmallBody);
        using var socket = await ConnectAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));

        var (status, _) = await ReadResponseAsync(socket);

        Assert.Equal(400, status); // the echo module would have answered 200
    }

    private async Task<Socket> ConnectAsync()
    {
        var address = Worker.BaseAddress!;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host == "localhost" ? "127.0.0.1" : address.Host, address.Port);
        return socket;
    }

    /// <summary>A POST that declares <paramref name="declared"/> bytes and sends the first <paramref name="sent"/> of them.</summary>
    private async Task<Socket> SendPartAsync(string path, long declared, int sent, byte[]? body = null)
    {
        var socket = await ConnectAsync();
        var head = $"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        await socket.SendAsync(body is null ? new byte[sent] : body.AsMemory(0, sent));
        return socket;
    }

    private static async Task<(int Status, byte[] Body)> ReadResponseAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var all = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await stream.CopyToAsync(all, timeout.Token);
        var bytes = all.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end > 0, $"no HTTP response: {Encoding.ASCII.GetString(bytes)}");
        var head = Encoding.ASCII.GetString(bytes, 0, end);
        return (int.Parse(head.Split(' ')[1], CultureInfo.InvariantCulture), bytes[(end + 4)..]);
    }

    private async Task<HttpResponseMessage> PostProblemAsync(string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Headers.Accept.ParseAdd("application/problem+json");
        return await Worker.SendAsync(request);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("detail").GetString() ?? "";
    }

    /// <summary>Scrapes <c>/metrics</c> until <paramref name="metric"/> satisfies <paramref name="until"/>; returns its value.</summary>
    private async Task<long> UntilMetric(string metric, Func<long, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var text = await fixture.Management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(metric + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"/metrics has no {metric}");
            var value = (long)double.Parse(line[(metric.Length + 1)..], CultureInfo.InvariantCulture);
            if (until(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{metric} stayed at {value}");
            await Task.Delay(20);
        }
    }

    private static byte[] RandomNumberGenerator(int length) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
}
