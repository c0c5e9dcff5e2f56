using System.Diagnostics;
using Functions.HttpBench.Deploy;

namespace Functions.HttpBench.Density;

/// <summary>Waits for a route to answer with a marker on every worker; null instead of an exception past the timeout.</summary>
internal sealed class ServedWait(HttpClient client, IReadOnlyList<Uri> workers, TimeSpan timeout)
{
    private readonly ServedProbe _probe = new(client, workers, TimeSpan.FromMilliseconds(5), timeout);

    /// <summary>Per worker, ms from <paramref name="since"/> until it answered with <paramref name="expected"/>; null on timeout.</summary>
    public async Task<double[]?> WaitAsync(string route, string expected, long since)
    {
        try
        {
            return await _probe.WaitAsync(route, expected, since);
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"served-wait: {e.Message} ({Stopwatch.GetElapsedTime(since).TotalSeconds:0.0} s)");
            return null;
        }
    }
}
