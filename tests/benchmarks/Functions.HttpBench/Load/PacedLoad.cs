using System.Diagnostics;

namespace Functions.HttpBench.Load;

/// <summary>
/// Open-loop load at a fixed rate, the way wrk2 does it: request i is due at start + i/rate whatever happened to the
/// earlier ones, and its latency counts from when it was due, so a stall shows up in the percentiles instead of
/// silently lowering the rate (coordinated omission).
/// </summary>
internal sealed class PacedLoad(HttpClient client, Func<HttpRequestMessage> request)
{
    public async Task<LoadResult> RunAsync(double rate, TimeSpan duration, CancellationToken stop = default)
    {
        var count = (int)Math.Round(rate * duration.TotalSeconds);
        var fromDue = new double[count];
        var service = new double[count];
        var statuses = new int[count];
        var sends = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        var sent = 0;
        for (; sent < count && !stop.IsCancellationRequested; sent++)
        {
            var due = start + (long)(sent * Stopwatch.Frequency / rate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, CancellationToken.None).ConfigureAwait(false);
            }

            sends.Add(SendAsync(sent, due));
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
        return new LoadResult(fromDue[..sent], service[..sent], statuses[..sent], Stopwatch.GetElapsedTime(start));

        async Task SendAsync(int i, long due)
        {
            var sentAt = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request(), CancellationToken.None).ConfigureAwait(false);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None).ConfigureAwait(false);
                statuses[i] = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                statuses[i] = -1;
            }
            catch (TaskCanceledException)
            {
                statuses[i] = -2;
            }

            fromDue[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            service[i] = Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds;
        }
    }
}
