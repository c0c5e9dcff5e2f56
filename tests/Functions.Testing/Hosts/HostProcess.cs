using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Functions.Testing.Hosts;

/// <summary>
/// A host of the platform (control plane or worker) run as its own process from the built assembly, on a port of its
/// own on loopback: the real thing a user runs, not an in-memory test server.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HostProcess(string name, Process process, Uri address, Uri management)
    {
        Name = name;
        _process = process;
        Address = address;
        Management = management;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri Address { get; }

    /// <summary>Where the host answers <c>/healthz</c>, <c>/readyz</c> (and a worker <c>/metrics</c>): a worker's management port, else <see cref="Address"/>.</summary>
    public Uri Management { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote, for a failure message.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>
    /// Starts <c>src/{project}/bin/{configuration}/net10.0/{project}.dll</c> and waits for <c>/healthz</c> at
    /// <paramref name="management"/> (a worker's management address, which its environment must name), else at its address.
    /// </summary>
    public static async Task<HostProcess> StartAsync(string project, string name, IReadOnlyDictionary<string, string> environment, int? port = null,
        Uri? management = null)
    {
        var dll = HostAssembly(project);
        var address = new Uri($"http://127.0.0.1:{port ?? FreePort()}");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", address.AbsoluteUri.TrimEnd('/')])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var host = new HostProcess(name, Process.Start(start)!, address, management ?? address);
        await host.WaitUntilAsync("/healthz", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return host;
    }

    /// <summary>Waits until <paramref name="path"/> on the management address answers 2xx, failing with the host's output if it never does.</summary>
    public async Task WaitUntilAsync(string path, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Management, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before {path} answered:\n{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(path).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} did not answer {path} within {timeout.TotalSeconds:F0} s:\n{RecentOutput}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks <paramref name="path"/> on the served address until <paramref name="expected"/> accepts an answer (its
    /// response and body) and returns that body; fails, after <paramref name="within"/> (default 60 s), with the last
    /// answer and the host's output.
    /// </summary>
    public async Task<string> AnswersAsync(string path, Func<HttpResponseMessage, string, bool> expected, string what, TimeSpan? within = null)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        var last = "";
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative)).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                last = $"{(int)response.StatusCode} {response.Content.Headers.ContentType}: {body[..Math.Min(body.Length, 300)]}";
                if (expected(response, body))
                {
                    return body;
                }
            }
            catch (HttpRequestException error)
            {
                last = error.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} did not answer {path} with {what} in time; last answer {last}\n{RecentOutput}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>Asks the process to stop (SIGTERM, as an orchestrator would) and waits for it to leave.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The built <c>src/{project}/bin/{configuration}/net10.0/{assembly ?? project}.dll</c> (a host or the CLI).</summary>
    public static string HostAssembly(string project, string? assembly = null)
    {
        // The test runs from tests/X/bin/<Configuration>/net10.0/: the hosts were built beside, in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
        var dll = Path.Combine(RepoPaths.Root, "src", project, "bin", configuration, "net10.0", (assembly ?? project) + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"{dll} is not built: build the solution (dotnet build Functions.sln) before these tests.", dll);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 300)
        {
            _output.TryDequeue(out _);
        }
    }
}
