using System.CommandLine;
using Functions.Cli.Api;

namespace Functions.Cli.Commands;

/// <summary><c>rollback APP VERSION</c>: activates an earlier release again, as a new generation.</summary>
internal static class RollbackCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var app = new Argument<string>("app") { Description = "The application" };
        var version = new Argument<int>("version") { Description = "The release to activate again (see: functions releases APP)" };
        var command = new Command("rollback", "Activate an earlier release of an application again") { app, version };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var activation = await context.Api.RollbackAsync(parse.GetValue(app)!, parse.GetValue(version), cancel);
            context.Output.Document(activation, ApiJson.Default.Activation);
            context.Output.Line($"Application '{activation.App}' is back on release {activation.Version} " +
                $"(generation {activation.Generation}). Follow the rollout: functions status {activation.App} --wait");
            return ExitCodes.Success;
        });
        return command;
    }
}
