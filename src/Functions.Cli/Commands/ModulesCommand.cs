using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Output;
using Functions.Contracts;
using Functions.Contracts.Api;

namespace Functions.Cli.Commands;

/// <summary>
/// <c>modules</c>: uploaded and pulled modules, newest first, with where each was pulled from; <c>modules show DIGEST</c>:
/// one module; <c>modules pull REFERENCE</c>: have the control plane pull one from an OCI registry;
/// <c>modules rm DIGEST</c>: delete one no release uses.
/// </summary>
internal static class ModulesCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var command = new Command("modules",
            "List modules (modules show DIGEST: one module; modules pull REFERENCE: pull one from an OCI registry; " +
            "modules rm DIGEST: delete one)");
        CommandAction.Set(command, host, globals, async (context, _, cancel) =>
        {
            var modules = await context.Api.ListModulesAsync(cancel);
            var output = context.Output;
            output.Document(modules, ApiJson.Default.IReadOnlyListModuleView);
            if (modules.Count == 0)
            {
                output.Line("No modules uploaded yet. functions deploy uploads them.");
                return ExitCodes.Success;
            }

            output.Table(["DIGEST", "SIZE", "UPLOADED", "ENTRYPOINTS", "SOURCE"], modules.Select(m => (IReadOnlyList<string>)
            [
                Formats.ShortDigest(m.Digest),
                Formats.Bytes(m.Size),
                Formats.Time(m.UploadedAt),
                string.Join(",", m.Entrypoints),
                m.Source?.Reference ?? "(uploaded)",
            ]));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(Show(host, globals));
        command.Subcommands.Add(Pull(host, globals));
        command.Subcommands.Add(Remove(host, globals));
        return command;
    }

    private static Argument<string> DigestArgument() => new("digest")
    {
        Description = "sha256:<hex>, or a unique prefix of it as 'modules' shows (e.g. sha256:2c26b46b68ff)",
    };

    private static Command Show(CliHost host, GlobalOptions globals)
    {
        var digest = DigestArgument();
        var command = new Command("show", "One module: digest, size, entrypoints, imports, and where it was pulled from") { digest };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var full = await ResolveAsync(context.Api, parse.GetValue(digest)!, cancel);
            var module = await context.Api.FindModuleAsync(full, cancel)
                ?? throw new CliException($"Module {full} was deleted just now (functions modules lists them).");
            Print(context.Output, module);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Pull(CliHost host, GlobalOptions globals)
    {
        var reference = new Argument<string>("reference")
        {
            Description = "HOST[:PORT]/REPOSITORY[:TAG] or …@sha256:HEX, optionally with oci:// in front; the control plane " +
                "pulls it with its own registry credentials",
        };
        var command = new Command("pull",
            "Have the control plane pull a module from an OCI registry, verify it and store it with its source") { reference };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var given = parse.GetValue(reference)!;
            var (module, created) = await context.Api.PullModuleAsync(given, cancel);
            context.Output.Line(created
                ? $"Pulled {given}: stored as {module.Digest}."
                : $"Pulled {given}: the control plane already had it as {module.Digest} (its source is updated).");
            Print(context.Output, module);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Print(CliOutput output, ModuleView module)
    {
        output.Document(module, ApiJson.Default.ModuleView);
        output.Table(["FIELD", "VALUE"],
        [
            ["digest", module.Digest],
            ["size", $"{Formats.Bytes(module.Size)} ({module.Size} bytes)"],
            ["uploaded", Formats.Time(module.UploadedAt)],
            ["entrypoints", module.Entrypoints.Count == 0 ? "-" : string.Join(",", module.Entrypoints)],
            ["imports", module.Imports.Count == 0 ? "-" : string.Join(",", module.Imports.Select(i => $"{i.Module}.{i.Name}"))],
            ["source", module.Source?.Reference ?? "(uploaded)"],
            ["manifest", module.Source?.ManifestDigest ?? "-"],
            ["pulled", Formats.Time(module.Source?.PulledAt)],
        ]);
    }

    private static Command Remove(CliHost host, GlobalOptions globals)
    {
        var digest = DigestArgument();
        var command = new Command("rm", "Delete a module; refused while an active release uses it") { digest };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var full = await ResolveAsync(context.Api, parse.GetValue(digest)!, cancel);
            await context.Api.DeleteModuleAsync(full, cancel);
            context.Output.Document(new Deleted("module", full), ApiJson.Default.Deleted);
            context.Output.Line($"Deleted module {full}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static readonly DigestArgument Module = new(
        given => $"'{given}' is not a module digest: give sha256:<hex> (or a prefix of it) as 'functions modules' lists.",
        given => $"No uploaded module's digest starts with '{given}' (functions modules lists them).",
        "modules");

    private static Task<string> ResolveAsync(ApiClient api, string given, CancellationToken cancel) =>
        Module.ResolveAsync(given, async c => (await api.ListModulesAsync(c).ConfigureAwait(false)).Select(m => m.Digest), cancel);
}
