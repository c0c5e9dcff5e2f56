using Functions.Contracts;
using Functions.Testing;
using MassTransit;

namespace Functions.ControlPlane.Tests.Infrastructure;

/// <summary>The test RabbitMQ is real and MassTransit delivers through it: a published doorbell reaches a consumer.</summary>
public sealed class RabbitMqSmokeTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private RabbitMqEndpoint endpoint = null!;

    public async Task InitializeAsync()
    {
        var services = await PlatformServices.GetAsync();
        endpoint = await services.CreateVirtualHostAsync("rabbitmq_smoke");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_published_DesiredStateChanged_reaches_a_consumer_on_the_bus()
    {
        var received = new TaskCompletionSource<DesiredStateChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(endpoint.Host, (ushort)endpoint.Port, endpoint.VirtualHost, h =>
            {
                h.Username(endpoint.Username);
                h.Password(endpoint.Password);
            });
            cfg.ReceiveEndpoint("smoke-node", e =>
            {
                e.AutoDelete = true;
                e.Consumer(() => new RecordingConsumer(received));
            });
        });

        using var startTimeout = new CancellationTokenSource(Generous);
        await bus.StartAsync(startTimeout.Token);
        try
        {
            var sent = new DesiredStateChanged(Generation: 42, ChangedAt: DateTimeOffset.UtcNow);
            await bus.Publish(sent);

            var arrived = await received.Task.WaitAsync(Generous);
            Assert.Equal(sent, arrived);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private sealed class RecordingConsumer(TaskCompletionSource<DesiredStateChanged> received) : IConsumer<DesiredStateChanged>
    {
        public Task Consume(ConsumeContext<DesiredStateChanged> context)
        {
            received.TrySetResult(context.Message);
            return Task.CompletedTask;
        }
    }
}
