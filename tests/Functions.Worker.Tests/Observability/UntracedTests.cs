using System.Diagnostics;

namespace Functions.Worker.Tests.Observability;

/// <summary>Tracing off (no <c>OTEL_*</c> set): a function can still hand a trace context on.</summary>
public sealed class UntracedTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task The_callers_traceparent_reaches_the_function_unchanged_and_without_one_the_worker_makes_one()
    {
        await fixture.DeployAsync("untraced", new { route = "/untraced", module = await fixture.DigestOf("hello-c") });
        var sent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/untraced");
        request.Headers.Add("traceparent", sent);
        using var traced = await fixture.Worker.SendAsync(request);
        Assert.Equal(sent, TracingFixture.Environment(await traced.Content.ReadAsStringAsync())["HTTP_TRACEPARENT"]);

        var own = TracingFixture.Environment(await fixture.Worker.GetStringAsync(new Uri("/untraced", UriKind.Relative)))["HTTP_TRACEPARENT"];
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(own, "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"), $"[{own}]");
        Assert.True(ActivityContext.TryParse(own, null, out _), own);
    }
}
