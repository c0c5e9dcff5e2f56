using System.Diagnostics;

namespace Functions.HttpBench.Deploy;

/// <summary>Polls one route on every worker until each answers 200 with a body holding the expected text.</summary>
internal sealed class ServedProbe(HttpClient client, IReadOnlyList<Uri> workers, TimeSpan interval, TimeSpan timeout)
{
    /// <summary>Per worker, the milliseconds from <paramref name="since"/> to its first matching answer.</summary>
    public async Task<double[]> WaitAsync(string path, string expected, long since)
    {
        return await Task.WhenAll(workers.Select(WaitOneAsync)).ConfigureAwait(false);

        async Task<double> WaitOneAsync(Uri worker)
        {
            var url = new Uri(worker, path);
            while (true)
            {
                using (var response = await client.GetAsync(url).ConfigureAwait(false))
                {
                    if (response.IsSuccessStatusCode &&
                        (await response.Content.ReadAsStringAsync().ConfigureAwait(false)).Contains(expected, StringComparison.Ordinal))
                    {
                        return Stopwatch.GetElapsedTime(since).TotalMilliseconds;
                    }
                }

                if (Stopwatch.GetElapsedTime(since) > timeout)
                {
                    throw new TimeoutException($"{url} did not answer with '{expected.Trim()}' within {timeout.TotalSeconds} s");
                }

                await Task.Delay(interval).ConfigureAwait(false);
            }
        }
    }
}
