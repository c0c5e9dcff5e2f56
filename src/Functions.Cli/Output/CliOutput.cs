using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Functions.Cli.Output;

/// <summary>
/// Where a command writes. Results go to stdout: text for people, or one JSON document with <c>--json</c>.
/// Progress and notes go to stderr and are silent with <c>--json</c>, so scripts read stdout alone.
/// </summary>
internal sealed class CliOutput(TextWriter stdout, TextWriter stderr, bool json, bool stderrIsTerminal)
{
    public bool Json { get; } = json;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>A line of the human-readable result (nothing with <c>--json</c>).</summary>
    public void Line(string text = "")
    {
        if (!Json)
        {
            Out.WriteLine(text);
        }
    }

    /// <summary>The machine-readable result (only with <c>--json</c>).</summary>
    public void Document<T>(T value, JsonTypeInfo<T> type)
    {
        if (Json)
        {
            Out.WriteLine(JsonSerializer.Serialize(value, type));
        }
    }

    /// <summary>A note on stderr about what is happening (nothing with <c>--json</c>).</summary>
    public void Note(string text)
    {
        if (!Json)
        {
            Error.WriteLine(text);
        }
    }

    /// <summary>A table of the human-readable result.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (!Json)
        {
            TextTable.Write(Out, headers, rows);
        }
    }

    /// <summary>
    /// Reports upload progress on a terminal (rewriting one stderr line); null when nobody would see it: with
    /// <c>--json</c>, or when stderr is a file or a pipe.
    /// </summary>
    public UploadProgress? Progress(string label, long total) =>
        Json || !stderrIsTerminal ? null : new UploadProgress(Error, label, total);
}
