using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Functions.HttpBench.Soak;

/// <summary>
/// Open-loop GETs at a fixed rate for a long time (as <see cref="Load.PacedLoad"/>, wrk2-style: latency counts from when
/// each request was due), keeping counters and a latency histogram instead of one record per request; only the
/// failures are kept one by one, with when they were due.
/// </summary>
internal sealed class SteadyLoad(HttpClient client, Uri url)
{
    // 0.1 ms buckets up to 60 s; slower answers land in the last one.
    private const int Buckets = 600_000;

    public async Task<SteadyResult> RunAsync(double rate, TimeSpan duration, Stopwatch clock)
    {
        var count = (long)Math.Round(rate * duration.TotalSeconds);
        var histogram = new long[Buckets];
        var statuses = new ConcurrentDictionary<int, long>();
        var failures = new ConcurrentQueue<(TimeSpan DueAt, int Status)>();
        long inFlight = 0;
        var start = clock.Elapsed;
        for (long i = 0; i < count; i++)
        {
            var due = start + TimeSpan.FromTicks((long)(i * (TimeSpan.TicksPerSecond / rate)));
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, CancellationToken.None).ConfigureAwait(false);
            }

            Interlocked.Increment(ref inFlight);
            _ = SendAsync(due);
        }

        var sending = clock.Elapsed - start;
        while (Interlocked.Read(ref inFlight) > 0)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }

        return new SteadyResult(count, sending, histogram, new Dictionary<int, long>(statuses), [.. failures.OrderBy(f => f.DueAt)]);

        async Task SendAsync(TimeSpan due)
        {
            int status;
            try
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead, CancellationToken.None).ConfigureAwait(false);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = -1;
            }
            catch (TaskCanceledException)
            {
                status = -2;
            }

            var latency = clock.Elapsed - due;
            Interlocked.Increment(ref histogram[(int)Math.Clamp(latency.TotalMilliseconds * 10, 0, Buckets - 1)]);
            statuses.AddOrUpdate(status, 1, static (_, n) => n + 1);
            if (status is < 200 or > 299)
            {
                failures.Enqueue((due, status));
            }

            Interlocked.Decrement(ref inFlight);
        }
    }
}

/// <summary>What a steady run saw; <see cref="Failures"/> are due times relative to the soak's clock.</summary>
internal sealed record SteadyResult(
    long Requests, TimeSpan Elapsed, long[] Histogram, Dictionary<int, long> Statuses, List<(TimeSpan DueAt, int Status)> Failures)
{
    /// <summary>e.g. <c>200×3996, 503×4</c>; -1 is a connection error, -2 a client timeout.</summary>
    public string StatusMix => string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture,
        $"{(s.Key switch { -1 => "error", -2 => "timeout", _ => s.Key.ToString(CultureInfo.InvariantCulture) })}×{s.Value}")));

    /// <summary>The latency (ms, from when due) below which <paramref name="percent"/> % of the requests answered.</summary>
    public double Percentile(double percent)
    {
        var total = Histogram.Sum();
        var wanted = (long)Math.Ceiling(total * percent / 100);
        long seen = 0;
        for (var i = 0; i < Histogram.Length; i++)
        {
            seen += Histogram[i];
            if (seen >= wanted && seen > 0)
            {
                return (i + 1) / 10.0;
            }
        }

        return 0;
    }
}
