namespace Functions.ControlPlane.Security;

/// <summary>
/// The process's console (stderr), written to directly rather than through <see cref="ILogger"/>: for a secret shown
/// once to whoever started the process, which must never become a structured field in a log sink.
/// </summary>
internal sealed class OperatorConsole(TextWriter writer)
{
    public void WriteLine(string text)
    {
        writer.WriteLine(text);
        writer.Flush();
    }
}
