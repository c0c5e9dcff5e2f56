using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Functions.Cli.Api;
using Functions.Cli.Logs;
using Functions.Cli.Tests.Support;
using Functions.Contracts.Api;
using Functions.Testing;
using Functions.Testing.Hosts;

namespace Functions.Cli.Tests.EndToEnd;

/// <summary>
/// Function logs end to end: a real worker runs the functions and publishes on RabbitMQ, the real control plane
/// keeps the window and serves it, the CLI reads it. One platform for the class; each test its own routes' records.
/// </summary>
public sealed class FunctionLogsTests(FunctionLogsPlatform fixture) : IClassFixture<FunctionLogsPlatform>
{
    private const int Burst = FunctionLogsPlatform.Burst;
    private const int RecordsPerApp = FunctionLogsPlatform.RecordsPerApp;
    private TestPlatform Platform => fixture.Platform;

    [Fact]
    public async Task Lines_a_function_writes_to_stderr_are_found_by_request_id_through_the_api_and_the_cli()
    {
        var requestId = await InvokeAsync("/say");
        await InvokeAsync("/say"); // another invocation of the same route: not in the answer

        var records = await EventuallyAsync($"requestId={requestId}", r => r.Count == 3);
        Assert.Equal(["stderr line 1 of", "stderr line 2 of", "stderr line 3 of"], records.Select(r => r.Text[..16]));
        Assert.All(records, r => Assert.Equal(("shop", "/say", requestId, "stderr", "logs-w1"), (r.App, r.Route, r.RequestId, r.Stream, r.Worker)));
        // Worker:Logs:MaxLineLength is 16 here: the rest is cut, and the record says so.
        Assert.All(records, r => Assert.EndsWith("… (2 more characters cut, Worker:Logs:MaxLineLength)", r.Text, StringComparison.Ordinal));

        var cli = await CliAsync("logs", "shop", "--request-id", requestId);
        Assert.True(cli.ExitCode == ExitCodes.Success, cli.ToString());
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, line => Assert.Matches($@"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{{3}}Z /say {requestId} stderr line \d of", line));

        var json = await CliAsync("logs", "shop", "--request-id", requestId, "--json");
        Assert.Equal(3, json.Json().GetProperty("items").GetArrayLength());

        var other = await CliAsync("logs", "other", "--request-id", requestId, "--json");
        Assert.Equal(0, other.Json().GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_record_written_after_an_event_stream_opened_arrives_on_it_after_heartbeats()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/apps/shop/logs?route=/late&limit=1");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await Platform.Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        // The stream is open and idle: it sends heartbeat comments (every 0.3 s here).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line;
        while ((line = await reader.ReadLineAsync(timeout.Token)) != ": heartbeat")
        {
            Assert.NotNull(line);
        }

        var requestId = await InvokeAsync("/late");
        string? id = null, type = null, data = null;
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null)
        {
            if (line.Length > 0)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var value = line[(colon + 1)..].TrimStart();
                (id, type, data) = line[..colon] switch
                {
                    "id" => (value, type, data),
                    "event" => (id, value, data),
                    "data" => (id, type, value),
                    _ => (id, type, data),
                };
                continue;
            }

            if (data is not null)
            {
                Assert.Equal("log", type);
                var record = JsonSerializer.Deserialize<LogRecordView>(data, JsonSerializerOptions.Web)!;
                if (record.RequestId == requestId)
                {
                    Assert.Equal(("/late", "stderr"), (record.Route, record.Stream));
                    Assert.Matches("^[0-9a-f]{8}-[0-9]+$", id);
                    return;
                }
            }

            (id, type, data) = (null, null, null);
        }

        Assert.Fail("the stream ended without the record");
    }

    [Fact]
    public async Task The_cli_follow_delivers_records_as_they_come_and_ends_cleanly_when_cancelled()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Platform.ControlPlane.Address.AbsoluteUri) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Platform.AdminKey);
        var api = new ApiClient(http, http.BaseAddress);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<LogRecordView>();
        string? requestId = null;
        var follow = LogTail.FollowAsync(api, "shop", new LogQuery(Route: "/late", Since: DateTimeOffset.UtcNow), record =>
        {
            seen.Add(record);
            if (record.RequestId == requestId)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }, stop.Token);
        requestId = await InvokeAsync("/late");
        await follow; // returns, without throwing, when cancelled
        Assert.Contains(seen, r => r.RequestId == requestId);
        Assert.DoesNotContain(seen, r => r.Route != "/late");
    }

    [Fact]
    public async Task Records_over_a_routes_rate_are_dropped_and_counted_and_the_window_stays_bounded()
    {
        var flood = await InvokeAsync("/flood"); // 200 lines against a burst of 20
        await InvokeAsync("/say");

        var records = await EventuallyAsync($"requestId={flood}", r => r.Count >= Burst);
        Assert.InRange(records.Count, Burst, Burst + 2);
        var metrics = await MetricsAsync();
        var dropped = Counter(metrics, "functions_log_records_dropped_total{route=\"/flood\",reason=\"rate\"}");
        Assert.InRange(dropped, 200 - Burst - 2, 200 - Burst);

        // The route's next record, once a token came back, says how many went.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var next = await InvokeAsync("/flood");
        var note = await EventuallyAsync($"requestId={next}&route=/flood", r => r.Any(x => x.Stream == "event"));
        Assert.Contains(note, r => r.Stream == "event" && r.Text.Contains("records were dropped before this one", StringComparison.Ordinal));

        // Functions:Logs:RecordsPerApp bounds the window: more than it have arrived (in order, from one worker) by now.
        string last = "";
        for (var i = 0; i < 4; i++)
        {
            last = await InvokeAsync("/say");
        }

        await EventuallyAsync($"requestId={last}", r => r.Count == 3);
        var all = await QueryAsync("limit=100000");
        Assert.Equal(RecordsPerApp, all.Count);
        Assert.Equal(last, all[^1].RequestId);
    }

    [Fact]
    public async Task A_trap_and_a_timeout_each_produce_an_event_record()
    {
        var trap = await InvokeAsync("/trap", HttpStatusCode.InternalServerError);
        var loop = await InvokeAsync("/loop", HttpStatusCode.GatewayTimeout);

        var trapped = Assert.Single(await EventuallyAsync($"requestId={trap}", r => r.Count > 0));
        Assert.Equal("event", trapped.Stream);
        Assert.StartsWith("trapped: ", trapped.Text, StringComparison.Ordinal);
        Assert.EndsWith("answered 500", trapped.Text, StringComparison.Ordinal);
        var timedOut = Assert.Single(await EventuallyAsync($"requestId={loop}", r => r.Count > 0));
        Assert.Equal(("event", "timed out after 200 ms (the route's timeout) and was stopped; answered 504"), (timedOut.Stream, timedOut.Text));
    }

    [Fact]
    public async Task Bad_filters_are_refused_saying_what_to_fix_and_an_unknown_app_is_not_found()
    {
        using var bad = await Platform.Admin.GetAsync(new Uri("api/v1/apps/shop/logs?since=yesterday&limit=0", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Contains("duration back from now", problem.GetProperty("since")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("from 1 to", problem.GetProperty("limit")[0].GetString(), StringComparison.Ordinal);

        using var missing = await Platform.Admin.GetAsync(new Uri("api/v1/apps/nope/logs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var cli = await CliAsync("logs", "nope");
        Assert.Equal(ExitCodes.Failed, cli.ExitCode);
        Assert.Contains("no application named 'nope'", cli.Error, StringComparison.Ordinal);
        var since = await CliAsync("logs", "shop", "--since", "soon");
        Assert.Equal(ExitCodes.Failed, since.ExitCode);
        Assert.Contains("--since 'soon'", since.Error, StringComparison.Ordinal);
    }

    private Task<CliRun> CliAsync(params string[] args) => CliRunner.RunAsync(
        new Dictionary<string, string> { ["FUNCTIONS_URL"] = Platform.ControlPlane.Address.AbsoluteUri, ["FUNCTIONS_ADMIN_KEY"] = Platform.AdminKey },
        null, args);

    private async Task<string> InvokeAsync(string path, HttpStatusCode status = HttpStatusCode.OK)
    {
        using var worker = Worker();
        using var response = await worker.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(status, response.StatusCode);
        return response.Headers.GetValues("X-Request-Id").Single();
    }

    private HttpClient Worker() => new() { BaseAddress = Platform.Workers[0].Address, Timeout = TimeSpan.FromSeconds(30) };

    private async Task<List<LogRecordView>> QueryAsync(string query)
    {
        var body = await Platform.Admin.GetStringAsync(new Uri($"api/v1/apps/shop/logs?{query}", UriKind.Relative));
        return JsonSerializer.Deserialize<LogRecordList>(body, JsonSerializerOptions.Web)!.Items.ToList();
    }

    /// <summary>Records travel worker → broker → control plane asynchronously: ask until they are there.</summary>
    private async Task<List<LogRecordView>> EventuallyAsync(string query, Func<List<LogRecordView>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var records = await QueryAsync(query);
            if (done(records))
            {
                await Task.Delay(300); // and nothing more arrives
                return await QueryAsync(query);
            }

            Assert.True(DateTime.UtcNow < deadline, $"records for {query} did not arrive: {records.Count}\n{Platform.Workers[0].RecentOutput}\n--- control plane\n{Platform.ControlPlane.RecentOutput}");
            await Task.Delay(100);
        }
    }

    private async Task<string> MetricsAsync()
    {
        using var http = new HttpClient { BaseAddress = Platform.Workers[0].Management };
        return await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    private static double Counter(string metrics, string series) =>
        metrics.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();
}

/// <summary>The platform <see cref="FunctionLogsTests"/> share: one control plane, one worker, apps shop and other.</summary>
public sealed class FunctionLogsPlatform : IAsyncLifetime
{
    public const int Burst = 20;
    public const int RecordsPerApp = 30;

    private DedicatedBroker? _broker;

    public TestPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // A broker of its own where this machine can run one (the shared one may be busy with every other test).
        _broker = DedicatedBroker.Available ? await DedicatedBroker.StartAsync() : null;
        Platform = await TestPlatform.StartAsync("logs", workers: 1, _broker?.Endpoint,
            workerSettings: new Dictionary<string, string>
            {
                ["Worker__Logs__RecordsPerSecond"] = "0.5",
                ["Worker__Logs__Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Worker__Logs__MaxLineLength"] = "16",
            },
            controlPlaneSettings: new Dictionary<string, string>
            {
                ["Functions__Logs__RecordsPerApp"] = RecordsPerApp.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Functions__Logs__HeartbeatInterval"] = "00:00:00.300",
            });
        var stderr = await Platform.UploadAsync(Fixtures.Bytes("stderr"));
        var trap = await Platform.UploadAsync(Fixtures.Bytes("trap"));
        var loop = await Platform.UploadAsync(Fixtures.Bytes("loop"));
        await Platform.DeployAsync("shop",
            new { route = "/say", module = stderr },
            new { route = "/late", module = stderr, environment = new Dictionary<string, string> { ["STDERR_LINES"] = "1" } },
            new { route = "/flood", module = stderr, environment = new Dictionary<string, string> { ["STDERR_LINES"] = "200" } },
            new { route = "/trap", module = trap },
            new { route = "/loop", module = loop, limits = new { timeoutMs = 200 } });
        await Platform.DeployAsync("other", new { route = "/other", module = stderr });
        using var worker = new HttpClient { BaseAddress = Platform.Workers[0].Address };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await worker.GetAsync(new Uri("/say", UriKind.Relative))).IsSuccessStatusCode)
        {
            Assert.True(DateTime.UtcNow < deadline, $"/say is not served\n{Platform.Workers[0].RecentOutput}\n--- control plane\n{Platform.ControlPlane.RecentOutput}");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (Platform is not null)
        {
            await Platform.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
