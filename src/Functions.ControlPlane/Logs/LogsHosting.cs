using Functions.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Logs;

internal static class LogsHosting
{
    public static IServiceCollection AddControlPlaneLogs(this IServiceCollection services)
    {
        services.AddOptions<LogWindowOptions>().BindConfiguration(LogWindowOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LogWindow>();
        return services;
    }

    /// <summary>
    /// This replica's own queue on the logs exchange, bound to every app, removed when the replica goes: replicas each
    /// see every record (one shared queue would split them). Capped, so a replica that lags loses the oldest.
    /// </summary>
    public static void AddLogsEndpoint(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context)
    {
        var options = context.GetRequiredService<IOptions<LogWindowOptions>>().Value;
        var name = $"functions-control-plane-logs-{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..6]}";
        rabbit.ReceiveEndpoint(name, endpoint =>
        {
            endpoint.AutoDelete = true;
            endpoint.Durable = false;
            endpoint.SetQueueArgument("x-max-length", options.QueueLength);
            FunctionLogsTopology.Bind(endpoint);
            endpoint.ConfigureConsumer<FunctionLogsConsumer>(context);
        });
    }
}
