using System.Net;
using System.Net.Http.Json;
using Functions.ControlPlane.Messaging;
using Functions.ControlPlane.Tests.Support;
using Functions.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Functions.ControlPlane.Tests.Messaging;

/// <summary>A control plane whose broker address answers nothing.</summary>
public sealed class BrokerDownApp : ControlPlaneApp
{
    public BrokerDownApp() => Settings["ConnectionStrings:RabbitMq"] = "amqp://functions:functions@127.0.0.1:1/";
}

public sealed class BrokerDownTests(BrokerDownApp app) : IClassFixture<BrokerDownApp>
{
    [Fact]
    public async Task Without_a_broker_the_control_plane_is_ready_and_deploys_commit_for_workers_to_poll()
    {
        var module = await app.UploadFixtureAsync("hello-wat");

        using var ready = await app.Client(null).GetAsync(new Uri("/readyz", UriKind.Relative));
        var deployed = await app.DeployAsync("no-broker", new { routes = new[] { new { route = "/no-broker", module } } });
        var state = (await app.Worker().GetFromJsonAsync<DesiredState>("/internal/v1/desired-state"))!;

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(deployed.Generation, state.Generation);
        Assert.Contains(state.Routes, r => r.Route == "/no-broker");
        Assert.True(app.Services.GetRequiredService<DesiredStateNotifier>().PublishedGeneration < deployed.Generation);
    }
}
