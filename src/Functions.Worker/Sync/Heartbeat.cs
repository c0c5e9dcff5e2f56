using System.Reflection;
using Functions.Contracts;
using Functions.Hosting;
using Functions.Worker.Hosting;
using Functions.Worker.Serving;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Sync;

/// <summary>Tells the control plane, every interval and after every sync, who this node is and what it serves.</summary>
public sealed partial class Heartbeat(
    ControlPlaneClient controlPlane,
    AppliedState applied,
    IServer server,
    IOptions<WorkerOptions> options,
    ManagementEndpoint management,
    TimeProvider time,
    ILogger<Heartbeat> logger) : BackgroundService
{
    private static readonly string Version =
        typeof(Heartbeat).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private readonly SyncSignal _wake = new();
    private bool _failing;

    /// <summary>Sends a beat now rather than at the next interval.</summary>
    public void Ring() => _wake.Ring("state changed");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await BeatAsync(stoppingToken).ConfigureAwait(false);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timer.CancelAfter(options.Value.HeartbeatInterval);
            try
            {
                await _wake.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        var status = applied.Status;
        var current = applied.Current;
        var report = new WorkerReport(options.Value.NodeId, Address(), Version, current.Generation,
            status.FailedGeneration, status.LastError, time.GetUtcNow(),
            [.. current.Failures.Values.OrderBy(f => f.App, StringComparer.Ordinal).Select(f => new AppFailure(f.App, f.Release, f.Error))]);
        try
        {
            await controlPlane.SendHeartbeatAsync(report, cancellationToken).ConfigureAwait(false);
            _failing = false;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (!_failing)
            {
                LogHeartbeatFailed(error.Message);
            }

            _failing = true;
        }
    }

    private string Address() =>
        options.Value.AdvertisedAddress
        ?? server.Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault(address => !management.Ports.Contains(BindingAddress.Parse(address).Port))
        ?? "unknown";

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Heartbeat to the control plane failed: {Error}. Still serving; retrying.")]
    private partial void LogHeartbeatFailed(string error);
}
