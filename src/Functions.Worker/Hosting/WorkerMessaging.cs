using Functions.Messaging;
using Functions.Worker.Sync;
using MassTransit;

namespace Functions.Worker.Hosting;

internal static class WorkerMessaging
{
    /// <summary>
    /// Fan-out: every node has its own queue, named by its node id and removed when the node goes, bound to
    /// <c>DesiredStateChanged</c>, so every node hears every deployment. One shared queue would load-balance instead.
    /// </summary>
    public static IServiceCollection AddWorkerMessaging(this IServiceCollection services, string? rabbitMq, string nodeId) =>
        services.AddMassTransit(bus =>
        {
            // On by default, it reports usage to MassTransit's vendor: a self-hosted platform does not phone home.
            bus.DisableUsageTelemetry();
            bus.AddConsumer<DesiredStateChangedConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                RabbitMqConnection.Parse(rabbitMq).Apply(rabbit);
                FunctionLogsTopology.ConfigurePublisher(rabbit);
                rabbit.ReceiveEndpoint($"functions-worker-{nodeId}", endpoint =>
                {
                    endpoint.AutoDelete = true;
                    endpoint.Durable = false;
                    endpoint.ConfigureConsumeTopology = true;
                    endpoint.ConfigureConsumer<DesiredStateChangedConsumer>(context);
                });
            });
        });
}
