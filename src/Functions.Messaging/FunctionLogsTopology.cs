using Functions.Contracts;
using MassTransit;

namespace Functions.Messaging;

/// <summary>
/// Where function logs travel: <see cref="FunctionLogs"/> messages on one topic exchange, routed by app name, so a
/// reader may bind every app (<c>#</c>) or one. Workers publish; each control plane replica binds its own queue.
/// </summary>
public static class FunctionLogsTopology
{
    public const string Exchange = "functions.logs";

    /// <summary>Publishes <see cref="FunctionLogs"/> to the topic exchange, routing key = the app's name.</summary>
    public static void ConfigurePublisher(IRabbitMqBusFactoryConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.Message<FunctionLogs>(m => m.SetEntityName(Exchange));
        bus.Publish<FunctionLogs>(p =>
        {
            p.ExchangeType = "topic";
            p.Durable = false;
        });
        bus.Send<FunctionLogs>(s => s.UseRoutingKeyFormatter(context => context.Message.App));
    }

    /// <summary>Binds a receive endpoint to every app's records (its queue must be its own, for fan-out).</summary>
    public static void Bind(IRabbitMqReceiveEndpointConfigurator endpoint, string routingKey = "#")
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        endpoint.ConfigureConsumeTopology = false;
        endpoint.Bind(Exchange, b =>
        {
            b.ExchangeType = "topic";
            b.Durable = false;
            b.RoutingKey = routingKey;
        });
    }
}
