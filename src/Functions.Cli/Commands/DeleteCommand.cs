using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Output;

namespace Functions.Cli.Commands;

/// <summary><c>delete APP</c>: removes an application; workers stop serving its routes.</summary>
internal static class DeleteCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var app = new Argument<string>("app") { Description = "The application" };
        var command = new Command("delete", "Delete an application: its routes stop being served") { app };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var name = parse.GetValue(app)!;
            await context.Api.DeleteAppAsync(name, cancel);
            context.Output.Document(new Deleted("app", name), ApiJson.Default.Deleted);
            context.Output.Line($"Deleted application '{name}'; workers stop serving its routes as they sync. " +
                "Its modules stay uploaded (functions modules rm DIGEST removes one).");
            return ExitCodes.Success;
        });
        return command;
    }
}
