using System.Diagnostics;

namespace Functions.Worker.Tests.Observability;

public sealed class TracingTests(TracingFixture fixture) : IClassFixture<TracingFixture>
{
    [Fact]
    public async Task A_deploy_is_one_trace_from_the_PUT_through_RabbitMQ_to_the_workers_pull_compile_and_apply()
    {
        var caller = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();
        var generation = await fixture.DeployEnvDumpAsync("traced-deploy", "/traced-deploy", $"00-{caller}-{callerSpan}-01");

        var spans = await fixture.Receiver.WaitForAsync(
            all => all.Count(s => s.TraceId == caller && s.Service == "functions-worker" && s.Name is "apply generation" or "compile module") >= 2,
            $"worker spans of the deploy's trace {caller}", () => fixture.Platform.Workers[0].RecentOutput);
        var trace = spans.Where(s => s.TraceId == caller).ToList();
        var put = Assert.Single(trace, s => s.Service == "functions-controlplane" && s.ParentSpanId == callerSpan);
        Assert.Equal("PUT /api/v1/apps/{name}", put.Name);
        var deploy = Assert.Single(trace, s => s.Name == "deploy");
        Assert.Equal(put.SpanId, deploy.ParentSpanId);
        Assert.Equal("traced-deploy", deploy.Attributes["functions.app"]);
        var publish = Assert.Single(trace, s => s.Name == "publish DesiredStateChanged" && s.Attributes["functions.generation"] == $"{generation}");
        Assert.Equal(deploy.SpanId, publish.ParentSpanId);

        // Across RabbitMQ: the worker's sync is a child of the publish span, its pull, compile and apply children of the sync.
        var sync = Assert.Single(trace, s => s.Service == "functions-worker" && s.Name == "sync desired state");
        Assert.Equal(publish.SpanId, sync.ParentSpanId);
        foreach (var name in new[] { "pull desired state", "apply generation" })
        {
            Assert.Equal(sync.SpanId, Assert.Single(trace, s => s.Name == name).ParentSpanId);
        }

        var apply = Assert.Single(trace, s => s.Name == "apply generation");
        var pull = Assert.Single(trace, s => s.Name == "pull module");
        var compile = Assert.Single(trace, s => s.Name == "compile module");
        Assert.Equal(apply.SpanId, pull.ParentSpanId);
        Assert.Equal(apply.SpanId, compile.ParentSpanId);
        Assert.StartsWith("sha256:", compile.Attributes["functions.module.digest"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_function_gets_HTTP_TRACEPARENT_of_its_invocation_span_in_the_callers_trace()
    {
        await fixture.DeployEnvDumpAsync("traced-invoke", "/traced-invoke");
        var caller = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/traced-invoke");
        request.Headers.Add("traceparent", $"00-{caller}-{callerSpan}-01");
        using var response = await fixture.Worker.SendAsync(request);
        var env = TracingFixture.Environment(await response.Content.ReadAsStringAsync());

        var parts = env["HTTP_TRACEPARENT"].Split('-');
        Assert.Equal(["00", caller], parts[..2]);
        Assert.Equal("01", parts[3]);
        Assert.NotEqual(callerSpan, parts[2]);
        // The request span ends after the invocation's, so it may come in a later export.
        var spans = await fixture.Receiver.WaitForAsync(
            all => all.FirstOrDefault(s => s.SpanId == parts[2]) is { } invoked && all.Any(s => s.SpanId == invoked.ParentSpanId),
            "invocation span and its request span");
        var invocation = Assert.Single(spans, s => s.SpanId == parts[2]);
        Assert.Equal("invoke /traced-invoke", invocation.Name);
        Assert.Equal("traced-invoke", invocation.Attributes["functions.app"]);
        Assert.Equal("/traced-invoke", invocation.Attributes["functions.route"]);
        Assert.Equal("Completed", invocation.Attributes["functions.outcome"]);
        Assert.StartsWith("sha256:", invocation.Attributes["functions.module.digest"], StringComparison.Ordinal);
        Assert.True(double.Parse(invocation.Attributes["functions.running_ms"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.True(invocation.Attributes.ContainsKey("functions.queued_ms"));
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), invocation.Attributes["functions.request_id"]);

        // The Kestrel request span sits between the caller and the invocation.
        var server = Assert.Single(spans, s => s.SpanId == invocation.ParentSpanId);
        Assert.Equal(callerSpan, server.ParentSpanId);
        Assert.Equal("GET /traced-invoke", server.Name);
    }

    [Fact]
    public async Task A_trap_makes_the_invocation_span_an_error()
    {
        var digest = await fixture.Platform.UploadAsync(Functions.Testing.Fixtures.Bytes("trap"));
        await fixture.Platform.DeployAsync("traced-trap", new { route = "/traced-trap", module = digest });
        HttpResponseMessage? response = null;
        for (var i = 0; i < 600 && response?.StatusCode != System.Net.HttpStatusCode.InternalServerError; i++)
        {
            response?.Dispose();
            await Task.Delay(50);
            response = await fixture.Worker.GetAsync(new Uri("/traced-trap", UriKind.Relative));
        }

        var requestId = response!.Headers.GetValues("X-Request-Id").Single();
        response.Dispose();
        var spans = await fixture.Receiver.WaitForAsync(
            all => all.Any(s => s.Attributes.GetValueOrDefault("functions.request_id") == requestId), "the trap's invocation span");
        var invocation = Assert.Single(spans, s => s.Attributes.GetValueOrDefault("functions.request_id") == requestId);
        Assert.Equal("Trapped", invocation.Attributes["functions.outcome"]);
        Assert.Equal(OtlpSpan.Error, invocation.StatusCode);
    }
}
