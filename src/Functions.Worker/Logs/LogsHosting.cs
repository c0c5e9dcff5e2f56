namespace Functions.Worker.Logs;

internal static class LogsHosting
{
    /// <summary>Function logs to the control plane: the recorder invocations call, the publisher that drains it.</summary>
    public static IServiceCollection AddWorkerLogs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LogOptions>()
            .Bind(configuration.GetSection(LogOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<LogMetrics>();
        services.AddSingleton<LogRecorder>();
        services.AddHostedService<LogPublisher>();
        return services;
    }
}
