using System.Text.Json;

namespace Functions.Cli.Tests.Support;

/// <summary>What one run of the <c>functions</c> command line did: exit code, stdout, stderr.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>stdout as the JSON document <c>--json</c> promises (fails the test when it is not one).</summary>
    public JsonElement Json()
    {
        try
        {
            using var document = JsonDocument.Parse(Out);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({e.Message}):\n{Out}\nstderr:\n{Error}");
        }
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
