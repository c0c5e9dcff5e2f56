using System.Collections.Concurrent;
using Functions.Contracts;
using Functions.Testing;
using MassTransit;

namespace Functions.ControlPlane.Tests.Messaging;

/// <summary>A MassTransit bus on the control plane's virtual host with its own queue, like a worker's.</summary>
internal sealed class BusObserver : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentQueue<DesiredStateChanged> _received = new();
    private readonly SemaphoreSlim _signal = new(0);

    private BusObserver(RabbitMqEndpoint endpoint)
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(endpoint.Host, (ushort)endpoint.Port, endpoint.VirtualHost, host =>
            {
                host.Username(endpoint.Username);
                host.Password(endpoint.Password);
            });
            rabbit.ReceiveEndpoint($"observer-{Guid.NewGuid():N}", queue =>
            {
                // Not auto-delete: the queue must keep collecting while a test closes the broker connections.
                queue.AutoDelete = false;
                queue.Durable = false;
                queue.Handler<DesiredStateChanged>(context =>
                {
                    _received.Enqueue(context.Message);
                    _signal.Release();
                    return Task.CompletedTask;
                });
            });
        });
    }

    public static async Task<BusObserver> StartAsync(RabbitMqEndpoint endpoint)
    {
        var observer = new BusObserver(endpoint);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await observer._bus.StartAsync(timeout.Token);
        return observer;
    }

    public IReadOnlyCollection<DesiredStateChanged> Received => _received;

    /// <summary>Waits for a message announcing <paramref name="generation"/> or later; null when none came in time.</summary>
    public async Task<DesiredStateChanged?> WaitForAsync(long generation, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_received.FirstOrDefault(m => m.Generation >= generation) is { } message)
            {
                return message;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _signal.WaitAsync(left))
            {
                return _received.FirstOrDefault(m => m.Generation >= generation);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _bus.StopAsync();
        _signal.Dispose();
    }
}
