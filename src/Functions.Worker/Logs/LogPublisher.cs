using Functions.Contracts;
using Functions.Contracts.Api;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Logs;

/// <summary>
/// Drains <see cref="LogRecorder"/>'s queue onto the bus: the records at hand, grouped by app, one
/// <see cref="FunctionLogs"/> message per app (routing key = the app's name). A publish the broker does not confirm
/// within <see cref="LogOptions.PublishTimeout"/> drops its records (counted), so an outage costs log records, never
/// invocations; the queue behind fills and drops too until the broker is back.
/// </summary>
internal sealed partial class LogPublisher(
    LogRecorder recorder,
    IServiceProvider services,
    IOptions<LogOptions> options,
    LogMetrics metrics,
    ILogger<LogPublisher> logger) : BackgroundService
{
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = recorder.Reader;
        var batch = new List<LogRecordView>(options.Value.BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < options.Value.BatchSize && reader.TryRead(out var record))
                {
                    batch.Add(record);
                }

                foreach (var app in batch.GroupBy(r => r.App, StringComparer.Ordinal))
                {
                    await PublishAsync(app.Key, [.. app], stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is still queued is not worth holding the shutdown for.
        }
    }

    private async Task PublishAsync(string app, IReadOnlyList<LogRecordView> records, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.PublishTimeout);
        try
        {
            var bus = services.GetRequiredService<IBus>();
            await bus.Publish(new FunctionLogs(app, records), context =>
            {
                context.Durable = false; // recent logs, not records of truth: not worth a disk write on the broker
                context.SetRoutingKey(app);
            }, timeout.Token).ConfigureAwait(false);
            metrics.Published.Inc(records.Count);
            if (_failing)
            {
                _failing = false;
                LogRecovered(logger);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            foreach (var record in records)
            {
                metrics.Dropped.WithLabels(record.Route, "broker").Inc();
            }

            if (!_failing)
            {
                _failing = true;
                LogPublishFailed(logger, e, records.Count, app, options.Value.PublishTimeout);
            }
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "Function logs are not reaching the broker: {Count} records of {App} dropped (publish timeout {Timeout}). " +
            "Records are dropped and counted in functions_log_records_dropped_total until it answers again; invocations are not affected.")]
    private static partial void LogPublishFailed(ILogger logger, Exception error, int count, string app, TimeSpan timeout);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Function logs reach the broker again.")]
    private static partial void LogRecovered(ILogger logger);
}
