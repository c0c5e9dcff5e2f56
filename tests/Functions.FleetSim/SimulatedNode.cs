using System.Collections.Concurrent;
using System.Diagnostics;
using Functions.Contracts;
using Functions.Worker.Hosting;
using Functions.Worker.Serving;
using Functions.Worker.Sync;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Functions.FleetSim;

/// <summary>
/// One simulated worker node. Messaging is the worker's own (<see cref="WorkerMessaging"/>: its own bus, connection
/// and auto-delete queue <c>functions-worker-NODE</c> bound to <see cref="DesiredStateChanged"/>, consumed by the
/// worker's <see cref="DesiredStateChangedConsumer"/> ringing its <see cref="SyncSignal"/>); the control plane is
/// spoken to through the worker's <see cref="ControlPlaneClient"/>. The sync and heartbeat loops follow
/// <see cref="StateSynchronizer"/> and <see cref="Heartbeat"/> step by step, with the Wasmtime part (compile, pools)
/// replaced by a delay.
/// </summary>
internal sealed class SimulatedNode(string nodeId, string rabbitMq, ControlPlaneClient controlPlane, SimOptions options, Clock clock)
    : IAsyncDisposable
{
    private readonly AppliedState _applied = new();
    private readonly SyncSignal _signal = new();
    private readonly SyncSignal _beat = new();
    private readonly HashSet<string> _modules = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private ServiceProvider? _services;
    private IBusControl? _bus;
    private Task _loops = Task.CompletedTask;
    private DesiredState? _desired;
    private string? _etag;

    public string NodeId => nodeId;

    /// <summary>When this node's consumer took the doorbell of each generation (ms on <see cref="Clock"/>).</summary>
    public ConcurrentDictionary<long, double> Notified { get; } = new();

    /// <summary>When the control plane accepted this node's first report of each applied generation.</summary>
    public ConcurrentDictionary<long, double> Applied { get; } = new();

    public long AppliedGeneration => _applied.Current.Generation;

    public int ModuleDownloads;
    public int Pulls;
    public int NotModified;
    public int Heartbeats;
    public int Failures;
    public int StartRetries;

    public async Task StartAsync(CancellationToken cancel)
    {
        // A broker busy accepting a thousand connections may time one out: like a worker's host restarting, try again
        // with a new bus (the queue is auto-delete, so a half-made one goes with its connection).
        for (var attempt = 1; ; attempt++)
        {
            var services = new ServiceCollection();
            // One logger factory no node owns: MassTransit keeps the first bus's in a static log context, so disposing
            // a failed attempt's own factory would break every bus created after it.
            services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
            services.AddLogging();
            services.AddSingleton(_applied);
            services.AddSingleton(_signal);
            services.AddWorkerMessaging(rabbitMq, nodeId);
            services.AddSingleton<IConsumeObserver>(new NotifiedObserver(this, clock));
            var provider = services.BuildServiceProvider();
            var bus = provider.GetRequiredService<IBusControl>();
            bus.ConnectConsumeObserver(provider.GetRequiredService<IConsumeObserver>());
            bus.ConnectReceiveEndpointObserver(new RingOnReady(_signal));
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                timeout.CancelAfter(options.BusStartTimeout);
                await bus.StartAsync(timeout.Token).ConfigureAwait(false);
                (_services, _bus) = (provider, bus);
                break;
            }
            catch (Exception) when (attempt < 5 && !cancel.IsCancellationRequested)
            {
                Interlocked.Increment(ref StartRetries);
                await StopQuietlyAsync(bus, provider).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancel).ConfigureAwait(false);
            }
            catch
            {
                await StopQuietlyAsync(bus, provider).ConfigureAwait(false);
                throw;
            }
        }

        _loops = Task.WhenAll(SyncLoopAsync(_stop.Token), HeartbeatLoopAsync(_stop.Token));
    }

    private static async Task StopQuietlyAsync(IBusControl bus, ServiceProvider provider)
    {
        try
        {
            await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // It never started.
        }

        await provider.DisposeAsync().ConfigureAwait(false);
    }

    // StateSynchronizer.ExecuteAsync: start-up ring, then each ring or poll interval one sync.
    private async Task SyncLoopAsync(CancellationToken stop)
    {
        _signal.Ring("start-up");
        while (!stop.IsCancellationRequested)
        {
            var reason = await WaitAsync(_signal, _applied.IsReady && _applied.Current.Generation >= _signal.Announced
                ? options.PollInterval
                : options.RetryDelay, stop).ConfigureAwait(false);
            if (reason is null)
            {
                return;
            }

            if (SyncSignal.PullDelay(reason, _signal.AnnouncedSpread, options.PullJitter, Random.Shared) is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }

            await SyncOnceAsync(stop).ConfigureAwait(false);
        }
    }

    // StateSynchronizer.SyncOnceAsync without Wasmtime: pull (304 while unchanged), fetch new modules, "apply".
    private async Task SyncOnceAsync(CancellationToken stop)
    {
        try
        {
            var ready = _applied.IsReady && _desired is not null;
            var pull = await controlPlane.GetDesiredStateAsync(ready ? _etag : null, stop).ConfigureAwait(false);
            Interlocked.Increment(ref Pulls);
            if (pull.NotModified)
            {
                Interlocked.Increment(ref NotModified);
            }

            var desired = pull.State ?? _desired ?? throw new InvalidOperationException("304 to a pull without an ETag.");
            if (ready && desired.Generation == _applied.Current.Generation)
            {
                _applied.UpToDate();
                return;
            }

            foreach (var digest in desired.Routes.Select(r => r.ModuleDigest).Distinct())
            {
                if (_modules.Add(digest))
                {
                    await controlPlane.GetModuleAsync(digest, stop).ConfigureAwait(false);
                    Interlocked.Increment(ref ModuleDownloads);
                }
            }

            await Task.Delay(options.ApplyDelay, stop).ConfigureAwait(false);
            _applied.Swap(new ServingState(desired.Generation, new Dictionary<string, ServedApp>(), new Dictionary<string, FailedApp>()));
            (_desired, _etag) = (desired, pull.ETag);
            _beat.Ring("state changed");
        }
        catch (Exception) when (!stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref Failures);
        }
    }

    // Heartbeat.ExecuteAsync: a beat, then the interval or a ring.
    private async Task HeartbeatLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var generation = _applied.Current.Generation;
            var report = new WorkerReport(nodeId, $"http://sim/{nodeId}", "fleet-sim", generation,
                _applied.Status.FailedGeneration, _applied.Status.LastError, DateTimeOffset.UtcNow, []);
            try
            {
                await controlPlane.SendHeartbeatAsync(report, stop).ConfigureAwait(false);
                Interlocked.Increment(ref Heartbeats);
                Applied.TryAdd(generation, clock.Ms);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref Failures);
            }

            if (await WaitAsync(_beat, options.HeartbeatInterval, stop).ConfigureAwait(false) is null)
            {
                return;
            }
        }
    }

    private static async Task<string?> WaitAsync(SyncSignal signal, TimeSpan timeout, CancellationToken stop)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timer.CancelAfter(timeout);
        try
        {
            return await signal.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return StateSynchronizer.PeriodicCheck;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loops.ConfigureAwait(false);
        if (_bus is not null)
        {
            await _bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private sealed class NotifiedObserver(SimulatedNode node, Clock clock) : IConsumeObserver
    {
        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is DesiredStateChanged changed)
            {
                node.Notified.TryAdd(changed.Generation, clock.Ms);
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}

/// <summary>Milliseconds since the simulator started, one clock for every node.</summary>
internal sealed class Clock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public double Ms => Stopwatch.GetElapsedTime(_start).TotalMilliseconds;
}
