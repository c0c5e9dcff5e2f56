using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Output;
using Functions.Cli.Wagi;
using Functions.Contracts.Api;

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
        var hostVolumes = new Option<bool>("--host-volumes")
        {
            Description = "Keep volumes as host paths the control plane resolves under its volumes root [default: pack " +
                "each volume's folder into a file bundle that travels with the app]",
        };
        var writable = new Option<bool>("--writable-volumes")
        {
            Description = "With --host-volumes: map them writable, as WAGI did [default: read-only]",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show how the file maps onto an application; send nothing" };

        var command = new Command("import-wagi", "Deploy a WAGI modules.toml as one application (its next release).")
        {
            file, app, projectRoot, hostVolumes, writable, dryRun,
        };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var name = AppNames.Require(parse.GetValue(app), "--app");
            if (parse.GetValue(writable) && !parse.GetValue(hostVolumes))
            {
                throw new CliException(
                    "--writable-volumes applies to host-path volumes: add --host-volumes (volumes packed as file bundles, " +
                    "the default, are read-only).");
            }

            var import = WagiImporter.Read(parse.GetValue(file)!, new WagiImportOptions
            {
                ProjectRoot = parse.GetValue(projectRoot),
                HostVolumes = parse.GetValue(hostVolumes),
                WritableVolumes = parse.GetValue(writable),
            });
            return await ImportReport.DeployAsync(context, import, name, parse.GetValue(dryRun), cancel);
        });
        return command;
    }
}
