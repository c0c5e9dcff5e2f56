using System.CommandLine;
using Functions.Cli.Commands;

namespace Functions.Cli;

/// <summary>The <c>functions</c> command line: its commands, and running it against a <see cref="CliHost"/>.</summary>
internal static class CliApp
{
    public static RootCommand Create(CliHost host)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand(
            "Deploy and manage WebAssembly functions on a Functions control plane (REST API under /api/v1).");
        globals.AddTo(root);
        root.Subcommands.Add(DeployCommand.Create(host, globals));
        root.Subcommands.Add(ImportWagiCommand.Create(host, globals));
        root.Subcommands.Add(ImportSpinCommand.Create(host, globals));
        root.Subcommands.Add(AppsCommand.Create(host, globals));
        root.Subcommands.Add(ReleasesCommand.Create(host, globals));
        root.Subcommands.Add(RollbackCommand.Create(host, globals));
        root.Subcommands.Add(DeleteCommand.Create(host, globals));
        root.Subcommands.Add(StatusCommand.Create(host, globals));
        root.Subcommands.Add(LogsCommand.Create(host, globals));
        root.Subcommands.Add(WorkersCommand.Create(host, globals));
        root.Subcommands.Add(ModulesCommand.Create(host, globals));
        root.Subcommands.Add(FilesCommand.Create(host, globals));
        root.Subcommands.Add(PushCommand.Create(host, globals));
        root.Subcommands.Add(InitCommand.Create(host, globals));
        root.Subcommands.Add(DevCommand.Create(host, globals));
        return root;
    }

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliHost host, CancellationToken cancel = default)
    {
        var parse = Create(host).Parse(args);
        return parse.InvokeAsync(new InvocationConfiguration { Output = host.Out, Error = host.Error }, cancel);
    }
}
