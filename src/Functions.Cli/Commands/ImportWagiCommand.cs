using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Output;
using Functions.Cli.Wagi;

namespace Functions.Cli.Commands;

/// <summary>
/// <c>import-wagi modules.toml --app NAME</c>: deploys a WAGI module map as one application, listing every field
/// that is not carried over. Any error (a module file missing, a remote reference) stops it before an upload.
/// </summary>
internal static class ImportWagiCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var file = new Argument<string>("modules.toml") { Description = "A WAGI module map: [[module]] tables with route and module" };
        var app = new Option<string>("--app") { Description = "The application to deploy it as", HelpName = "name", Required = true };
        var projectRoot = new Option<string?>("--project-root")
        {
            Description = "What ${PROJECT_ROOT} in module references stands for [default: the toml's folder]",
            HelpName = "dir",
        };
        var writable = new Option<bool>("--writable-volumes")
        {
            Description = "Map volumes writable, as WAGI did [default: read-only]",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show how the file maps onto an application; send nothing" };

        var command = new Command("import-wagi", "Deploy a WAGI modules.toml as one application (its next release).")
        {
            file, app, projectRoot, writable, dryRun,
        };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var name = AppNames.Require(parse.GetValue(app), "--app");
            var import = WagiImporter.Read(parse.GetValue(file)!, new WagiImportOptions
            {
                ProjectRoot = parse.GetValue(projectRoot),
                WritableVolumes = parse.GetValue(writable),
            });
            var planned = DeployResult.Planned(name, import.Routes);
            if (import.Errors.Count > 0 || parse.GetValue(dryRun))
            {
                Report(context.Output, import, new ImportResult(
                    name, import.Source, DryRun: true, null, planned.Routes, [], [], import.Unsupported, import.Notes, import.Errors));
                return import.Errors.Count > 0 ? ExitCodes.Failed : ExitCodes.Success;
            }

            var deployed = await new Deployer(context.Api, context.Output).DeployAsync(name, import.Routes, cancel);
            Report(context.Output, import, new ImportResult(
                name, import.Source, DryRun: false, new Activation(deployed.App, deployed.Version!.Value, deployed.Generation!.Value),
                deployed.Routes, deployed.Modules, deployed.Files, import.Unsupported, import.Notes, []));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Report(CliOutput output, WagiImport import, ImportResult result)
    {
        output.Document(result, ApiJson.Default.ImportResult);
        var source = Path.GetFileName(import.Source);
        if (result.Errors.Count > 0)
        {
            output.Error.WriteLine($"error: {source} cannot be imported as '{result.App}'; nothing was uploaded. Fix these:");
            foreach (var error in result.Errors)
            {
                output.Error.WriteLine($"  {error}");
            }
        }
        else if (result.Release is { } release)
        {
            output.Line($"Imported {source} as application '{release.App}': release {release.Version} " +
                $"(generation {release.Generation}), {DeployCommand.Plural(result.Routes.Count, "route")}.");
        }
        else
        {
            output.Line($"{source} would be imported as application '{result.App}' with " +
                $"{DeployCommand.Plural(result.Routes.Count, "route")} (dry run: nothing was sent):");
        }

        output.Table(["ROUTE", "MODULE", "ENTRYPOINT", "FROM"], result.Routes.Select(r => (IReadOnlyList<string>)
        [
            r.Route,
            r.Module is null ? "-" : Formats.ShortDigest(r.Module),
            r.Entrypoint ?? "_start",
            r.Source is null ? "(not found)" : Path.GetFileName(r.Source),
        ]));

        if (result.Unsupported.Count > 0)
        {
            output.Line();
            output.Line("Not carried over (this platform cannot honour these):");
            foreach (var issue in result.Unsupported)
            {
                output.Line($"  {issue}");
            }
        }

        if (result.Notes.Count > 0)
        {
            output.Line();
            output.Line("Notes:");
            foreach (var note in result.Notes)
            {
                output.Line($"  {note}");
            }
        }

        if (result.Release is not null)
        {
            output.Line();
            output.Line($"Follow the rollout: functions status {result.App} --wait");
        }
    }
}
