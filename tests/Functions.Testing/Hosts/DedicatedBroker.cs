using System.Diagnostics;

namespace Functions.Testing.Hosts;

/// <summary>
/// A RabbitMQ node of one test's own, started with <c>deploy/local/services.sh</c> on free ports in a temporary folder,
/// so the test can stop and restart a real broker without disturbing the servers other tests share.
/// </summary>
public sealed class DedicatedBroker : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;

    private DedicatedBroker(Dictionary<string, string> environment)
    {
        _environment = environment;
    }

    /// <summary>The node's default virtual host and its <c>functions</c> login (the password services.sh generated).</summary>
    public RabbitMqEndpoint Endpoint { get; private set; } = null!;

    /// <summary>Whether this machine can run one: the RabbitMQ package is installed and the tests run as root.</summary>
    public static bool Available => File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server") && Environment.UserName == "root";

    public static async Task<DedicatedBroker> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("functions-broker-").FullName;
        // The broker runs as the rabbitmq user, which must be able to reach its folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        }
        var amqp = HostProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["FUNCTIONS_LOCAL_DIR"] = folder,
            ["FUNCTIONS_AMQP_PORT"] = amqp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FUNCTIONS_RABBIT_MGMT_PORT"] = HostProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FUNCTIONS_RABBIT_DIST_PORT"] = HostProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var broker = new DedicatedBroker(environment);
        await broker.StartAsync(CancellationToken.None).ConfigureAwait(false);
        var password = (await File.ReadAllTextAsync(Path.Combine(folder, "keys", "rabbitmq")).ConfigureAwait(false)).Trim();
        broker.Endpoint = new RabbitMqEndpoint("127.0.0.1", amqp, "/", "functions", password);
        return broker;
    }

    public Task StartAsync(CancellationToken cancellationToken) => RunAsync("start", cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => RunAsync("stop", cancellationToken);

    private async Task RunAsync(string verb, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "deploy", "local", "services.sh"), [verb, "rabbitmq"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"services.sh {verb} rabbitmq failed ({process.ExitCode}):\n{await output.ConfigureAwait(false)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                Directory.Delete(_environment["FUNCTIONS_LOCAL_DIR"], recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
