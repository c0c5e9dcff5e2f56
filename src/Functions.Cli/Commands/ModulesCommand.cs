using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Output;
using Functions.Contracts;

namespace Functions.Cli.Commands;

/// <summary><c>modules</c>: uploaded modules, newest first; <c>modules rm DIGEST</c>: delete one no release uses.</summary>
internal static class ModulesCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var command = new Command("modules", "List uploaded modules (modules rm DIGEST deletes one)");
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

            output.Table(["DIGEST", "SIZE", "UPLOADED", "ENTRYPOINTS"], modules.Select(m => (IReadOnlyList<string>)
            [
                Formats.ShortDigest(m.Digest),
                Formats.Bytes(m.Size),
                Formats.Time(m.UploadedAt),
                string.Join(",", m.Entrypoints),
            ]));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(Remove(host, globals));
        return command;
    }

    private static Command Remove(CliHost host, GlobalOptions globals)
    {
        var digest = new Argument<string>("digest")
        {
            Description = "sha256:<hex>, or a unique prefix of it as 'modules' shows (e.g. sha256:2c26b46b68ff)",
        };
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
