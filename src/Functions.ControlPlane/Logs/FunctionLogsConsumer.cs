using Functions.ControlPlane.Apps;
using Functions.Contracts;
using MassTransit;

namespace Functions.ControlPlane.Logs;

/// <summary>Puts the records workers publish into this replica's window; a message naming no valid app is ignored.</summary>
internal sealed class FunctionLogsConsumer(LogWindow window) : IConsumer<FunctionLogs>
{
    public Task Consume(ConsumeContext<FunctionLogs> context)
    {
        var message = context.Message;
        if (AppName.IsValid(message.App) && message.Records is { Count: > 0 })
        {
            window.Add(message.App, message.Records.Where(r => r is { Text: not null, RequestId: not null } && r.App == message.App));
        }

        return Task.CompletedTask;
    }
}
