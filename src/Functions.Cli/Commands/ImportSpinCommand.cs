using System.CommandLine;
using System.Text.RegularExpressions;
using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Output;
using Functions.Cli.Spin;
using Functions.Cli.Wagi;
using Functions.Contracts.Api;

namespace Functions.Cli.Commands;

/// <summary>
/// <c>import-spin spin.toml</c>: deploys the WAGI components of a Spin manifest (version 1 or 2) as one application,
/// their files as bundles, listing everything not carried over. Any error stops it before an upload.
/// </summary>
internal static partial class ImportSpinCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var file = new Argument<string>("spin.toml") { Description = "A Spin manifest (spin_manifest_version 1 or 2)" };
        var app = new Option<string?>("--app")
        {
            Description = "The application to deploy it as [default: the manifest's name]",
            HelpName = "name",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show how the manifest maps onto an application; send nothing" };

        var command = new Command("import-spin",
            "Deploy the WAGI-executor components of a Spin manifest, with their files, as one application (its next release).")
        {
            file, app, dryRun,
        };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var import = SpinImporter.Read(parse.GetValue(file)!);
            var name = AppName(parse.GetValue(app), import);
            return await ImportReport.DeployAsync(context, import, name, parse.GetValue(dryRun), cancel);
        });
        return command;
    }

    /// <summary>--app, else the manifest's name made into a valid application name (lowercase, '-' for the rest).</summary>
    internal static string AppName(string? given, WagiImport import)
    {
        if (given is not null)
        {
            return AppNames.Require(given, "--app");
        }

        var name = import.AppName is { } written ? Invalid().Replace(written.ToLowerInvariant(), "-").Trim('-') : null;
        if (name is { Length: > 63 })
        {
            name = name[..63].TrimEnd('-');
        }

        return AppNames.IsValid(name)
            ? name!
            : throw new CliException($"{Path.GetFileName(import.Source)} names no usable application ('{import.AppName}'): " +
                $"pass --app NAME ({AppNames.Rule}).");
    }

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex Invalid();
}
