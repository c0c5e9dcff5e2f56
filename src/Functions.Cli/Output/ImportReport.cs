using Functions.Cli.Api;
using Functions.Cli.Commands;
using Functions.Cli.Deploying;
using Functions.Cli.Wagi;
using Functions.Contracts.Api;
using Functions.Contracts;

namespace Functions.Cli.Output;

/// <summary>
/// Prints what <c>import-wagi</c> or <c>import-spin</c> did or would do: the routes, what was not carried over and
/// why, notes, and the errors that stopped it.
/// </summary>
internal static class ImportReport
{
    /// <summary>
    /// The end of every import command: with errors or <c>--dry-run</c>, the mapping only (exit 1 with errors);
    /// otherwise the deploy of the imported routes as <paramref name="name"/>'s next release, then the report.
    /// </summary>
    public static async Task<int> DeployAsync(CliContext context, WagiImport import, string name, bool dryRun, CancellationToken cancel)
    {
        if (import.Errors.Count > 0 || dryRun)
        {
            var planned = DeployResult.Planned(name, import.Routes);
            Write(context.Output, import, new ImportResult(
                name, import.Source, DryRun: true, null, planned.Routes, [], [], import.Unsupported, import.Notes, import.Errors));
            return import.Errors.Count > 0 ? ExitCodes.Failed : ExitCodes.Success;
        }

        var deployed = await new Deployer(context.Api, context.Output).DeployAsync(name, import.Routes, cancel).ConfigureAwait(false);
        Write(context.Output, import, new ImportResult(
            name, import.Source, DryRun: false, new Activation(deployed.App, deployed.Version!.Value, deployed.Generation!.Value),
            deployed.Routes, deployed.Modules, deployed.Files, import.Unsupported, import.Notes, []));
        return ExitCodes.Success;
    }

    public static void Write(CliOutput output, WagiImport import, ImportResult result)
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

        output.Table(["ROUTE", "MODULE", "ENTRYPOINT", "FILES", "FROM"], result.Routes.Select(r => (IReadOnlyList<string>)
        [
            r.Route,
            r.Module is null ? "-" : Formats.ShortDigest(r.Module),
            r.Entrypoint ?? Entrypoints.Start,
            DeployCommand.FilesColumn(r.Files),
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
