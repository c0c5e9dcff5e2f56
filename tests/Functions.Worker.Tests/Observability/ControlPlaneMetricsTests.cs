using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Functions.Worker.Tests.Observability;

/// <summary>The control plane's <c>/metrics</c> on its management port, after real uploads, deploys, a rollback and rollouts.</summary>
public sealed partial class ControlPlaneMetricsTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task Metrics_count_uploads_deploys_and_rollbacks_by_outcome_and_time_each_rollout_to_the_worker()
    {
        var platform = fixture.Platform;
        using var management = new HttpClient { BaseAddress = platform.ControlPlaneManagement };
        var before = await ScrapeAsync(management);

        var digest = await fixture.DigestOf("hello-c");
        await platform.UploadAsync(Functions.Testing.Fixtures.Bytes("hello-c")); // the same bytes again: existing
        using (var junk = new ByteArrayContent("not wasm"u8.ToArray()))
        {
            junk.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
            using var refused = await platform.Admin.PostAsync(new Uri("api/v1/modules", UriKind.Relative), junk);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // Each rollout is recorded when the worker's heartbeat reports its generation applied (every second here).
        // A worker's first generation after start (0 before it) is a catch-up, not a rollout: the first deploy is not timed.
        await fixture.DeployAsync("metered", new { route = "/metered", module = digest });
        await WaitForReportAsync(1);
        await fixture.DeployAsync("metered", new { route = "/metered", module = digest, environment = new { V = "2" } });
        await WaitForRolloutsAsync(management, before, 1);
        await fixture.WaitForGenerationAsync(await platform.RollbackAsync("metered", 1));
        await WaitForRolloutsAsync(management, before, 2);
        using (var refused = await platform.Admin.PostAsync(new Uri("api/v1/apps/metered/rollback", UriKind.Relative),
                   System.Net.Http.Json.JsonContent.Create(new { version = 99 })))
        {
            Assert.False(refused.IsSuccessStatusCode);
        }

        var after = await ScrapeAsync(management);
        Assert.Equal(2, Delta(before, after, "functions_rollout_duration_seconds_count"));
        Assert.True(Delta(before, after, "functions_rollout_duration_seconds_sum") > 0);
        Assert.Equal(1, Delta(before, after, """functions_uploads_total{kind="module",outcome="existing"}"""));
        Assert.Equal(1, Delta(before, after, """functions_uploads_total{kind="module",outcome="refused"}"""));
        Assert.Equal(2, Delta(before, after, """functions_deploys_total{outcome="activated"}"""));
        Assert.Equal(1, Delta(before, after, """functions_rollbacks_total{outcome="activated"}"""));
        Assert.Equal(1, Delta(before, after, """functions_rollbacks_total{outcome="refused"}"""));
        Assert.Equal(2, Delta(before, after,
            """functions_api_request_duration_seconds_count{endpoint="/api/v1/apps/{name}",method="PUT",status="201"}"""));
        Assert.Equal(1, Delta(before, after, """functions_uploads_total{kind="module",outcome="created"}"""));
    }

    [Fact]
    public async Task Metrics_answer_only_on_the_management_port_and_the_API_does_not_answer_there()
    {
        using var management = new HttpClient { BaseAddress = fixture.Platform.ControlPlaneManagement };
        using var api = await fixture.Platform.Admin.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        using var apps = await management.GetAsync(new Uri("/api/v1/apps", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, apps.StatusCode);
        using var metrics = await management.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("# TYPE functions_rollout_duration_seconds histogram", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task WaitForReportAsync(long generation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await fixture.Platform.WorkerNodesAsync()).Single()!["appliedGeneration"]!.GetValue<long>() < generation)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the worker did not report generation {generation}");
            await Task.Delay(100);
        }
    }

    private async Task WaitForRolloutsAsync(HttpClient management, Dictionary<string, double> before, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Delta(before, await ScrapeAsync(management), "functions_rollout_duration_seconds_count") < expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"rollout {expected} was not recorded within 30 s\n{fixture.Platform.ControlPlane.RecentOutput}");
            await Task.Delay(100);
        }
    }

    private static double Delta(Dictionary<string, double> before, Dictionary<string, double> after, string series) =>
        after.GetValueOrDefault(series) - before.GetValueOrDefault(series);

    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient management)
    {
        var text = await management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var series = new Dictionary<string, double>();
        foreach (Match line in Sample().Matches(text))
        {
            series[line.Groups["series"].Value] = double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return series;
    }

    [GeneratedRegex(@"^(?<series>[a-z_]+(\{.*\})?) (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
