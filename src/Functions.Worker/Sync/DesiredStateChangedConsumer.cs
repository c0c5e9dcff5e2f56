using Functions.Contracts;
using Functions.Worker.Serving;
using MassTransit;

namespace Functions.Worker.Sync;

/// <summary>The doorbell: a deployment happened somewhere; go and look.</summary>
public sealed class DesiredStateChangedConsumer(SyncSignal signal, AppliedState applied) : IConsumer<DesiredStateChanged>
{
    public Task Consume(ConsumeContext<DesiredStateChanged> context)
    {
        if (context.Message.Generation > applied.Current.Generation)
        {
            signal.Announce(context.Message.Generation, context.Message.TraceParent,
                context.Message.PullSpreadMs is { } ms ? TimeSpan.FromMilliseconds(Math.Max(ms, 0)) : null);
        }

        return Task.CompletedTask;
    }
}
