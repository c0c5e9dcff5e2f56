using MassTransit;

namespace Functions.Worker.Sync;

/// <summary>
/// A receive endpoint becomes ready at start-up and again after every reconnect to the broker; messages published
/// while it was away are lost to it, so each time it looks for itself.
/// </summary>
internal sealed class RingOnReady(SyncSignal signal) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready)
    {
        signal.Ring("bus connected");
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
