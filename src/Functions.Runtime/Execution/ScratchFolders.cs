using System.Globalization;

namespace Functions.Runtime.Execution;

/// <summary>
/// The runtime's private folder for capture files: <c>functions-&lt;pid&gt;-&lt;random&gt;</c> under the scratch
/// directory (tmpfs by default). Folders of processes that are gone are removed at start-up.
/// </summary>
internal static class ScratchFolders
{
    private const string Prefix = "functions-runtime-";

    public static string Create(string? configured)
    {
        var parent = configured ?? (Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath());
        RemoveLeftovers(parent);
        var folder = Path.Combine(parent, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void RemoveLeftovers(string parent)
    {
        if (!Directory.Exists("/proc/self"))
        {
            return; // without procfs there is no cheap way to tell a live process from a dead one
        }

        foreach (var folder in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            var rest = Path.GetFileName(folder)[Prefix.Length..];
            var dash = rest.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && !Directory.Exists($"/proc/{pid}"))
            {
                TryDelete(folder);
            }
        }
    }
}
