using Functions.Runtime.Outbound;
using Functions.Worker.Metrics;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Hosting;

/// <summary>
/// Functions' outbound HTTP: the operator's limits (<c>Worker:Outbound</c>, validated at start-up), one pooled client
/// from <c>IHttpClientFactory</c> (a <see cref="SocketsHttpHandler"/> that follows no redirects itself and checks every
/// address it connects to), and a counter of calls by route and outcome.
/// </summary>
public static class OutboundHttpHosting
{
    public const string Section = "Worker:Outbound";

    public static IServiceCollection AddOutboundHttp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboundHttpOptions>()
            .Bind(configuration.GetSection(Section))
            .Validate(o => o.Validate().Count == 0, "Worker:Outbound is invalid: see MaxResponseBytes, RequestTimeout and MaxRedirects.")
            .ValidateOnStart();
        services.AddHttpClient(OutboundNetwork.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan) // the runtime bounds each call
            .ConfigurePrimaryHttpMessageHandler(sp => OutboundNetwork.CreateHandler(sp.GetRequiredService<IOptions<OutboundHttpOptions>>().Value))
            .SetHandlerLifetime(TimeSpan.FromMinutes(5));
        services.AddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            var metrics = sp.GetRequiredService<WorkerMetrics>();
            return new OutboundCalls(() => factory.CreateClient(OutboundNetwork.ClientName),
                sp.GetRequiredService<IOptions<OutboundHttpOptions>>().Value,
                call => metrics.OutboundRequests.WithLabels(call.Function, OutboundCalls.Label(call.Outcome)).Inc(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<OutboundCalls>());
        });
        return services;
    }
}
