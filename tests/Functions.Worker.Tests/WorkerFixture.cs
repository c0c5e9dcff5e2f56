using Functions.Testing;
using Functions.Testing.Hosts;

namespace Functions.Worker.Tests;

/// <summary>A control plane and one worker, as processes, with the fixture modules uploaded.</summary>
public class WorkerFixture : IAsyncLifetime
{
    private readonly Dictionary<string, string> _digests = [];

    public TestPlatform Platform { get; private set; } = null!;

    /// <summary>The worker's invocation address: every path is a function's.</summary>
    public HttpClient Worker { get; private set; } = null!;

    /// <summary>The worker's management address: <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>.</summary>
    public HttpClient Management { get; private set; } = null!;

    /// <summary>The platform's name (its database and virtual host).</summary>
    protected virtual string Name => "worker";

    /// <summary>The worker's own settings beyond the platform's (environment variables).</summary>
    protected virtual IReadOnlyDictionary<string, string>? WorkerSettings => null;

    public async Task InitializeAsync()
    {
        // These tests are about what a worker does with what it is given, broken modules included: the control
        // plane's deploy checks (which would refuse those at deploy) are off here and tested in its own project.
        Platform = await TestPlatform.StartAsync(Name, workers: 1, workerSettings: WorkerSettings,
            controlPlaneSettings: new Dictionary<string, string> { ["Functions__DeployChecks__Enabled"] = "false" });
        Worker = new HttpClient { BaseAddress = Platform.Workers[0].Address, Timeout = TimeSpan.FromSeconds(60) };
        Management = new HttpClient { BaseAddress = Platform.Workers[0].Management, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task<string> DigestOf(string fixture)
    {
        if (!_digests.TryGetValue(fixture, out var digest))
        {
            _digests[fixture] = digest = await Platform.UploadAsync(Fixtures.Bytes(fixture));
        }

        return digest;
    }

    public async Task<string> DigestOfFile(string path)
    {
        if (!_digests.TryGetValue(path, out var digest))
        {
            _digests[path] = digest = await Platform.UploadAsync(await File.ReadAllBytesAsync(path));
        }

        return digest;
    }

    /// <summary>Deploys and waits until this worker serves the new generation.</summary>
    public async Task DeployAsync(string app, params object[] routes)
    {
        var generation = await Platform.DeployAsync(app, routes);
        await WaitForGenerationAsync(generation);
    }

    public async Task WaitForGenerationAsync(long generation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var ready = await Management.GetAsync(new Uri("/readyz", UriKind.Relative));
            var text = await ready.Content.ReadAsStringAsync();
            if (ReadyGeneration(text) >= generation)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the worker did not apply generation {generation}: {text}\n{Platform.Workers[0].RecentOutput}");
            await Task.Delay(50);
        }
    }

    /// <summary>The generation in <c>ready: generation N</c> (failed apps may follow it in parentheses), or -1.</summary>
    public static long ReadyGeneration(string readyz)
    {
        const string prefix = "ready: generation ";
        if (!readyz.StartsWith(prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        var digits = readyz[prefix.Length..].TakeWhile(char.IsAsciiDigit).ToArray();
        return long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
    }

    public virtual async Task DisposeAsync()
    {
        Worker.Dispose();
        Management.Dispose();
        await Platform.DisposeAsync();
    }
}
