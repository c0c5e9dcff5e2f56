using System.Net;
using System.Net.Http.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Apps;
using Functions.ControlPlane.Messaging;
using Functions.ControlPlane.Tests.Support;
using Functions.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Functions.ControlPlane.Tests.Messaging;

/// <summary>A control plane that retries publishing quickly, so that recovery shows within a test.</summary>
public sealed class FastRetryApp : ControlPlaneApp
{
    public FastRetryApp()
    {
        Settings["Functions:PublishTimeout"] = "00:00:02";
        Settings["Functions:PublishRetryMaxDelay"] = "00:00:01";
    }
}

public sealed class PublishingTests(FastRetryApp app) : IClassFixture<FastRetryApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_deploy_rollback_and_deletion_publishes_DesiredStateChanged_with_its_generation()
    {
        await using var observer = await BusObserver.StartAsync(app.RabbitMq);
        var module = await app.UploadFixtureAsync("hello-wat");

        var v1 = await app.DeployAsync("published", new { routes = new[] { new { route = "/published", module } } });
        Assert.NotNull(await observer.WaitForAsync(v1.Generation, Patience));
        await app.DeployAsync("published", new { routes = new[] { new { route = "/published-2", module } } });
        using var rollback = await app.Admin().PostAsJsonAsync(new Uri("/api/v1/apps/published/rollback", UriKind.Relative), new { version = 1 });
        var rolledBack = (await rollback.Content.ReadFromJsonAsync<Activation>())!;
        Assert.NotNull(await observer.WaitForAsync(rolledBack.Generation, Patience));
        using var deleted = await app.Admin().DeleteAsync(new Uri("/api/v1/apps/published", UriKind.Relative));
        var state = (await app.Worker().GetFromJsonAsync<DesiredState>("/internal/v1/desired-state"))!;

        var last = await observer.WaitForAsync(state.Generation, Patience);
        Assert.NotNull(last);
        Assert.Equal(state.Generation, last.Generation);
    }

    [SkippableFact]
    public async Task While_the_broker_refuses_the_publish_deploys_still_succeed_and_the_doorbell_rings_once_it_accepts_again()
    {
        Skip.IfNot(RabbitManagement.IsAvailable, "needs the RabbitMQ management API (FUNCTIONS_TEST_RABBITMQ_MANAGEMENT)");
        await using var observer = await BusObserver.StartAsync(app.RabbitMq);
        var module = await app.UploadFixtureAsync("hello-wat");
        var notifier = app.Services.GetRequiredService<DesiredStateNotifier>();

        // The control plane's login may still declare and read, but no longer publish to the doorbell's exchange.
        await RabbitManagement.SetPermissionsAsync(
            app.RabbitMq, write: "^(?!Functions\\.Contracts:DesiredStateChanged$).*", connections: 2); // ours and the observer's
        Activation deployed;
        try
        {
            using var response = await app.Admin().PutAsJsonAsync(
                new Uri("/api/v1/apps/outage", UriKind.Relative), new { routes = new[] { new { route = "/outage", module } } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            deployed = (await response.Content.ReadFromJsonAsync<Activation>())!;
            var state = (await app.Worker().GetFromJsonAsync<DesiredState>("/internal/v1/desired-state"))!;
            Assert.Contains(state.Routes, r => r.Route == "/outage");
            Assert.Null(await observer.WaitForAsync(deployed.Generation, TimeSpan.FromSeconds(3)));
            Assert.True(notifier.PublishedGeneration < deployed.Generation);
        }
        finally
        {
            await RabbitManagement.SetPermissionsAsync(app.RabbitMq, write: ".*");
        }

        Assert.NotNull(await observer.WaitForAsync(deployed.Generation, Patience));
    }
}
