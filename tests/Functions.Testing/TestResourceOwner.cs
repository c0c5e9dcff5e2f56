using System.Diagnostics;
using System.Globalization;

namespace Functions.Testing;

/// <summary>
/// Which test process made a database or virtual host, written on it as a comment/description
/// (<c>functions-test &lt;machine&gt; &lt;pid&gt; &lt;start ticks&gt;</c>), so another process can tell a leftover of a
/// dead process from a resource a running one still uses. The start time guards against reused pids.
/// </summary>
internal sealed record TestResourceOwner(string Machine, int ProcessId, long StartTicks)
{
    private const string Prefix = "functions-test";

    public static TestResourceOwner Current { get; } = new(
        Environment.MachineName, Environment.ProcessId, StartTicksOf(Process.GetCurrentProcess()));

    public string Mark => string.Create(CultureInfo.InvariantCulture, $"{Prefix} {Machine} {ProcessId} {StartTicks}");

    /// <summary>True when <paramref name="mark"/> names a test process of this machine that no longer runs.</summary>
    public static bool IsLeftover(string? mark)
    {
        var parts = mark?.Split(' ');
        if (parts is not [Prefix, var machine, var pidText, var ticksText]
            || machine != Environment.MachineName
            || !int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(ticksText, CultureInfo.InvariantCulture, out var ticks))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            // Start times are read back from the OS each time: allow a little rounding.
            return Math.Abs(StartTicksOf(process) - ticks) > TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return true;
        }
    }

    private static long StartTicksOf(Process process) => process.StartTime.ToUniversalTime().Ticks;
}
