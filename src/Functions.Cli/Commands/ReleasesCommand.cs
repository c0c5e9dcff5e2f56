using System.CommandLine;
using System.Globalization;
using Functions.Cli.Api;
using Functions.Cli.Output;

namespace Functions.Cli.Commands;

/// <summary><c>releases APP</c>: the release history, newest first; <c>releases APP N</c>: one release's routes.</summary>
internal static class ReleasesCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var app = new Argument<string>("app") { Description = "The application" };
        var version = new Argument<int?>("version") { Description = "Show this release's routes", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("releases", "List an application's releases, or show one") { app, version };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var output = context.Output;
            var name = parse.GetValue(app)!;
            if (parse.GetValue(version) is { } number)
            {
                var release = await context.Api.GetReleaseAsync(name, number, cancel);
                output.Document(release, ApiJson.Default.ReleaseView);
                output.Line($"Release {release.Version} of '{release.App}'{(release.Active ? " (active)" : "")}, deployed " +
                    $"{Formats.Time(release.CreatedAt)} at generation {release.Generation}.");
                RouteTable.Write(output, release.Routes);
                return ExitCodes.Success;
            }

            var releases = await context.Api.ListReleasesAsync(name, cancel);
            output.Document(releases, ApiJson.Default.IReadOnlyListReleaseSummary);
            output.Table(["VERSION", "ACTIVE", "ROUTES", "DEPLOYED", "GENERATION"], releases.Select(r => (IReadOnlyList<string>)
            [
                r.Version.ToString(CultureInfo.InvariantCulture),
                r.Active ? "*" : "",
                r.RouteCount.ToString(CultureInfo.InvariantCulture),
                Formats.Time(r.CreatedAt),
                r.Generation.ToString(CultureInfo.InvariantCulture),
            ]));
            return ExitCodes.Success;
        });
        return command;
    }
}
