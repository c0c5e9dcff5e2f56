using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Output;

namespace Functions.Cli.Commands;

/// <summary><c>apps</c>: every application; <c>apps NAME</c>: one, with its active release's routes.</summary>
internal static class AppsCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var name = new Argument<string?>("app") { Description = "Show this application's routes", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("apps", "List applications, or show one with its active routes") { name };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var output = context.Output;
            if (parse.GetValue(name) is { } app)
            {
                var details = await context.Api.GetAppAsync(app, cancel);
                output.Document(details, ApiJson.Default.AppView);
                if (details.ActiveRelease is not { } release)
                {
                    output.Line($"Application '{details.Name}' has no active release.");
                    return ExitCodes.Success;
                }

                output.Line($"Application '{details.Name}': release {release.Version} active since " +
                    $"{Formats.Time(details.ActivatedAt)} (generation {details.Generation}).");
                RouteTable.Write(output, release.Routes);
                return ExitCodes.Success;
            }

            var apps = await context.Api.ListAppsAsync(cancel);
            output.Document(apps, ApiJson.Default.IReadOnlyListAppSummary);
            if (apps.Count == 0)
            {
                output.Line("No applications yet. Deploy one: functions deploy hello.wasm --app hello --route /hello");
                return ExitCodes.Success;
            }

            output.Table(["NAME", "RELEASE", "GENERATION", "ACTIVATED"], apps.Select(a => (IReadOnlyList<string>)
            [
                a.Name,
                a.ActiveVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                a.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Formats.Time(a.ActivatedAt),
            ]));
            return ExitCodes.Success;
        });
        return command;
    }
}
