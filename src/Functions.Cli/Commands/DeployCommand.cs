using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Manifests;
using Functions.Cli.Output;
using Functions.Contracts;

namespace Functions.Cli.Commands;

/// <summary>
/// <c>deploy app.toml</c> (a manifest) or <c>deploy --app NAME --route /x module.wasm</c> (one module): uploads the
/// module files, then deploys every route as the application's next release.
/// </summary>
internal static class DeployCommand
{
    private static readonly byte[] WasmMagic = [0x00, 0x61, 0x73, 0x6d];

    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var file = new Argument<string>("file")
        {
            Description = "An app manifest (.json or .toml, see docs/cli.md), or a .wasm module or an oci://HOST/REPO:TAG " +
                "reference (the control plane pulls it) with --app and --route",
        };
        var app = new Option<string?>("--app") { Description = "The application; overrides the manifest's 'app'", HelpName = "name" };
        var route = new Option<string?>("--route")
        {
            Description = "Deploy the one module at this route: /exact, /prefix/... or /...",
            HelpName = "route",
        };
        var entrypoint = new Option<string?>("--entrypoint")
        {
            Description = $"The export to call for each request (single module) [default: {Entrypoints.Start}]",
            HelpName = "export",
        };
        var env = new Option<string[]>("--env")
        {
            Description = "An environment variable for the module, NAME=value (single module; repeat for more)",
            HelpName = "NAME=value",
            AllowMultipleArgumentsPerToken = false,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the input and show what would be deployed; send nothing" };

        var command = new Command("deploy", "Upload modules and deploy an application's routes as its next release. " +
            "The release holds exactly the routes given: routes of the previous release that are not given stop being served.")
        {
            file, app, route, entrypoint, env, dryRun,
        };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var path = parse.GetValue(file)!;
            var single = parse.GetValue(route) is not null || OciModules.IsReference(path) || IsModule(path);
            var (name, routes) = single
                ? ModuleRoute(path, parse.GetValue(app), parse.GetValue(route), parse.GetValue(entrypoint), parse.GetValue(env) ?? [])
                : FromManifest(path, parse.GetValue(app), parse.GetValue(entrypoint), parse.GetValue(env) ?? []);

            if (parse.GetValue(dryRun))
            {
                var planned = DeployResult.Planned(name, routes);
                context.Output.Document(planned, ApiJson.Default.DeployResult);
                context.Output.Line($"Would deploy application '{name}' with {Plural(routes.Count, "route")} (dry run: nothing was sent):");
                context.Output.Table(["ROUTE", "MODULE", "ENTRYPOINT", "FILES"], planned.Routes.Select(r =>
                    (IReadOnlyList<string>)[r.Route, r.Source ?? r.Module ?? "-", r.Entrypoint ?? Entrypoints.Start, FilesColumn(r.Files)]));
                return ExitCodes.Success;
            }

            var result = await new Deployer(context.Api, context.Output).DeployAsync(name, routes, cancel);
            Report(context, result);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Prints a deploy's result: the release, its routes, how to follow the rollout.</summary>
    public static void Report(CliContext context, DeployResult result)
    {
        var output = context.Output;
        output.Document(result, ApiJson.Default.DeployResult);
        output.Line($"Deployed application '{result.App}': release {result.Version} (generation {result.Generation}), " +
            $"{Plural(result.Routes.Count, "route")}.");
        output.Table(["ROUTE", "MODULE", "ENTRYPOINT", "FILES", "FROM"], result.Routes.Select(r => (IReadOnlyList<string>)
        [
            r.Route,
            r.Module is null ? "-" : Formats.ShortDigest(r.Module),
            r.Entrypoint ?? Entrypoints.Start,
            FilesColumn(r.Files),
            r.Source is null ? "(uploaded earlier)"
                : OciModules.IsReference(r.Source) ? r.Source
                : Path.GetRelativePath(Directory.GetCurrentDirectory(), r.Source),
        ]));
        output.Line($"Follow the rollout: functions status {result.App} --wait");
    }

    /// <summary><c>/=sha256:2c26b46b68ff,/static=sha256:…</c>, or on a dry run <c>/=site/</c>; <c>-</c> for none.</summary>
    internal static string FilesColumn(IReadOnlyDictionary<string, string>? files) => files is { Count: > 0 }
        ? string.Join(",", files.Select(f => $"{f.Key}={Formats.ShortDigest(f.Value)}"))
        : "-";

    internal static string Plural(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";

    private static (string App, IReadOnlyList<RoutePlan> Routes) ModuleRoute(
        string path, string? app, string? route, string? entrypoint, string[] env)
    {
        if (app is null || route is null)
        {
            throw new CliException(
                $"To deploy the single module {path}, name the application and the route: " +
                $"functions deploy {path} --app NAME --route /path. (To deploy several routes, give a manifest; see docs/cli.md.)");
        }

        string? full = null, reference = null;
        if (OciModules.IsReference(path))
        {
            reference = OciModules.Normalize(path, out var error) ?? throw new CliException(error!);
        }
        else
        {
            full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new CliException($"Module file not found: {full}");
            }
        }

        return (AppNames.Require(app, "--app"), [new RoutePlan
        {
            Route = route,
            ModulePath = full,
            ModuleReference = reference,
            Entrypoint = entrypoint,
            Environment = env.Length == 0 ? null : ParseEnvironment(env),
            Origin = "--route",
        }]);
    }

    private static (string App, IReadOnlyList<RoutePlan> Routes) FromManifest(
        string path, string? app, string? entrypoint, string[] env)
    {
        if (entrypoint is not null || env.Length > 0)
        {
            throw new CliException(
                "--entrypoint and --env apply to a single module (with --route); in a manifest, set 'entrypoint' and " +
                "'environment' on each route.");
        }

        var manifest = ManifestReader.Read(path);
        var name = app ?? manifest.App
            ?? throw new CliException($"{path} does not name its application: add app = \"name\" to it, or pass --app NAME.");
        return (AppNames.Require(name, app is null ? "The manifest's app" : "--app"), manifest.Routes);
    }

    internal static Dictionary<string, string> ParseEnvironment(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"--env '{pair}': give NAME=value, e.g. --env GREETING=hello.");
            }

            result[pair[..equals]] = pair[(equals + 1)..];
        }

        return result;
    }

    // A module is recognized by its bytes, so that any file name works; a manifest is text.
    private static bool IsModule(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> head = stackalloc byte[4];
            return file.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(WasmMagic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return path.EndsWith(".wasm", StringComparison.OrdinalIgnoreCase);
        }
    }
}
