using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Output;

namespace Functions.Cli;

/// <summary>
/// Gives a command its action, wrapped so that every expected failure (bad input, an error answer, no answer)
/// is printed with what to fix and becomes an exit code; anything else is a bug and surfaces as one.
/// </summary>
internal static class CommandAction
{
    public delegate Task<int> Body(CliContext context, ParseResult parse, CancellationToken cancel);

    public static void Set(Command command, CliHost host, GlobalOptions globals, Body body) =>
        command.SetAction(async (parse, cancel) =>
        {
            var output = new CliOutput(host.Out, host.Error, parse.GetValue(globals.Json), host.ErrorIsTerminal);
            CliContext? context = null;
            try
            {
                context = CliContext.Create(host, globals, parse, output);
                return await body(context, parse, cancel);
            }
            catch (CliException e)
            {
                return ErrorReporter.Report(output, e);
            }
            catch (ApiException e)
            {
                return ErrorReporter.Report(output, e, keyGiven: context?.Key is not null);
            }
            catch (ControlPlaneUnreachableException e)
            {
                return ErrorReporter.Report(output, e);
            }
            finally
            {
                context?.Dispose();
            }
        });
}
