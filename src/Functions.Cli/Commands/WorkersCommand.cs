using System.CommandLine;
using System.Globalization;
using Functions.Cli.Api;
using Functions.Cli.Output;
using Functions.Contracts.Api;

namespace Functions.Cli.Commands;

/// <summary><c>workers</c>: every worker node, its state and how far it has synced.</summary>
internal static class WorkersCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var command = new Command("workers", "List worker nodes: state, address, applied generation, last heartbeat");
        CommandAction.Set(command, host, globals, async (context, _, cancel) =>
        {
            var list = await context.Api.ListWorkersAsync(cancel);
            var output = context.Output;
            output.Document(new WorkersDocument(list.Generation, list.Workers, list.Count), ApiJson.Default.WorkersDocument);
            if (list.Workers.Count == 0)
            {
                output.Line($"No worker has reported yet (current generation {list.Generation}). ./deploy/run.sh starts one.");
                return ExitCodes.Success;
            }

            var now = context.Host.Time.GetUtcNow();
            output.Line($"Current generation: {list.Generation}");
            output.Table(["NODE", "STATE", "ADDRESS", "VERSION", "APPLIED", "HEARTBEAT", "ERROR"], list.Workers.Select(w => (IReadOnlyList<string>)
            [
                w.NodeId,
                w.State,
                w.Address,
                w.Version,
                w.AppliedGeneration.ToString(CultureInfo.InvariantCulture),
                Formats.Ago(w.LastHeartbeat, now),
                Errors(w),
            ]));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A whole-sync failure, then the apps that failed there (each named with its release).</summary>
    internal static string Errors(WorkerView worker)
    {
        var parts = new List<string>();
        if (worker.LastError is not null)
        {
            parts.Add($"generation {worker.FailedGeneration}: {worker.LastError}");
        }

        foreach (var failure in worker.FailedApps ?? [])
        {
            parts.Add($"app {failure.App} release {failure.Release}: {failure.Error}");
        }

        return string.Join("; ", parts);
    }
}
