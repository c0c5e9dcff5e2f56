namespace Functions.Cli.Output;

/// <summary>
/// One stderr line, rewritten in place with <c>\r</c>, showing bytes sent of the total. Redraws at most once per
/// percent so a fast upload does not flood the terminal.
/// </summary>
internal sealed class UploadProgress(TextWriter stderr, string label, long total) : IProgress<long>
{
    private int lastPercent = -1;

    public void Report(long value)
    {
        var percent = total == 0 ? 100 : (int)(value * 100 / total);
        if (percent == lastPercent)
        {
            return;
        }

        lastPercent = percent;
        stderr.Write($"\r{label}  {Formats.Bytes(value)} / {Formats.Bytes(total)} ({percent}%)   ");
        stderr.Flush();
    }

    /// <summary>Ends the progress line.</summary>
    public void Complete()
    {
        if (lastPercent >= 0)
        {
            stderr.WriteLine();
        }
    }
}
