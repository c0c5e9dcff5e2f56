using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Xunit;

namespace Functions.Testing.Registry;

/// <summary>
/// A real OCI distribution registry for tests: Debian's <c>/usr/bin/docker-registry serve CONFIG</c> on a free loopback
/// port with its storage in a temporary folder (and, for <see cref="RegistryAuth.Token"/>, a <see cref="TokenServer"/>),
/// or, without the binary but with a Docker engine, a Testcontainers <c>registry:2</c> for the anonymous case.
/// Disposing stops it and deletes its storage. Without either, the test is skipped, saying how to get one.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    public const string Variable = "FUNCTIONS_TEST_REGISTRY";
    public const string Binary = "/usr/bin/docker-registry";
    private const string ContainerImage = "registry:2";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<Task<RegistryServer>> SharedRegistry = new(StartSharedAsync);

    // $1 binary, $2 config, $3 the test process, $4 storage: serve until the test process is gone, then clean up.
    private const string Watcher = """
        "$1" serve "$2" & registry=$!
        trap 'kill $registry 2>/dev/null' TERM INT
        while kill -0 "$3" 2>/dev/null && kill -0 $registry 2>/dev/null; do sleep 1; done
        kill $registry 2>/dev/null; wait $registry
        kill -0 "$3" 2>/dev/null || rm -rf "$4"
        """;

    private readonly Process? process;
    private readonly IContainer? container;
    private readonly string? storage;
    private readonly ConcurrentQueue<string> output = new();

    private RegistryServer(string address, RegistryAuth auth, Process? process = null, IContainer? container = null,
        string? storage = null, TokenServer? tokens = null)
    {
        Address = address;
        Auth = auth;
        this.process = process;
        this.container = container;
        this.storage = storage;
        Tokens = tokens;
        if (process is not null)
        {
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
    }

    /// <summary><c>127.0.0.1:PORT</c>, as a reference names the registry; plain HTTP.</summary>
    public string Address { get; }

    public RegistryAuth Auth { get; }

    /// <summary>The token service, in <see cref="RegistryAuth.Token"/> mode.</summary>
    public TokenServer? Tokens { get; }

    /// <summary>The registry's last lines of log, for a failure message.</summary>
    public string RecentOutput => string.Join('\n', output);

    /// <summary>
    /// The anonymous registry tests share: the one <c>FUNCTIONS_TEST_REGISTRY</c> names (started by
    /// <c>deploy/local/services.sh</c>), else one started for this test process. Tests use repositories of their own.
    /// </summary>
    public static Task<RegistryServer> Shared() => SharedRegistry.Value;

    public static async Task<RegistryServer> StartAsync(RegistryAuth auth)
    {
        ArgumentNullException.ThrowIfNull(auth);
        if (!File.Exists(Binary))
        {
            return auth is RegistryAuth.Anonymous
                ? await StartContainerAsync().ConfigureAwait(false)
                : throw new SkipException($"This test needs Debian's registry binary {Binary} for {auth.GetType().Name} authentication: apt-get install docker-registry apache2-utils (./deploy/local/services.sh start installs it).");
        }

        var storage = Directory.CreateTempSubdirectory("functions-registry-").FullName;
        TokenServer? tokens = null;
        try
        {
            var authConfig = "";
            switch (auth)
            {
                case RegistryAuth.HtpasswdLogin login:
                    var htpasswd = Path.Combine(storage, "htpasswd");
                    await File.WriteAllTextAsync(htpasswd, await HtpasswdLineAsync(login.Username, login.Password).ConfigureAwait(false)).ConfigureAwait(false);
                    authConfig = $"auth:\n  htpasswd:\n    realm: functions-test\n    path: {htpasswd}\n";
                    break;
                case RegistryAuth.TokenLogin login:
                    tokens = await TokenServer.StartAsync(login.Username, login.Password).ConfigureAwait(false);
                    var bundle = Path.Combine(storage, "token-signer.pem");
                    await File.WriteAllTextAsync(bundle, tokens.CertificatePem).ConfigureAwait(false);
                    authConfig = $"auth:\n  token:\n    realm: {tokens.Realm}\n    service: {TokenServer.Service}\n    issuer: {TokenServer.Issuer}\n    rootcertbundle: {bundle}\n";
                    break;
            }

            // A port taken between choosing and binding makes the registry exit; choose again.
            for (var attempt = 1; ; attempt++)
            {
                var address = $"127.0.0.1:{FreePort()}";
                var config = Path.Combine(storage, "config.yml");
                await File.WriteAllTextAsync(config,
                    $"version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {Path.Combine(storage, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: {address}\n  secret: {Guid.NewGuid():N}\n{authConfig}").ConfigureAwait(false);
                // Through a watcher shell: a test process that ends without disposing (the shared registry, a killed
                // test host) must not leave a registry running, nor its storage behind.
                var start = new ProcessStartInfo("/bin/sh", ["-c", Watcher, "registry-watcher", Binary, config, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), storage])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                var server = new RegistryServer(address, auth, Process.Start(start)!, storage: storage, tokens: tokens);
                if (await server.WaitReadyAsync().ConfigureAwait(false))
                {
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
                    return server;
                }

                var log = server.RecentOutput;
                server.Kill();
                if (attempt == 3 || !log.Contains("address already in use", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{Binary} did not answer on {address} within {StartTimeout.TotalSeconds} s:\n{log}");
                }
            }
        }
        catch
        {
            if (tokens is not null)
            {
                await tokens.DisposeAsync().ConfigureAwait(false);
            }

            Directory.Delete(storage, recursive: true);
            throw;
        }
    }

    private static async Task<RegistryServer> StartSharedAsync()
    {
        var named = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(named))
        {
            return await StartAsync(RegistryAuth.None).ConfigureAwait(false);
        }

        var server = new RegistryServer(named.Trim(), RegistryAuth.None);
        if (!await server.AnswersAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"{Variable} names a registry at {named}, which does not answer GET /v2/. Start it with ./deploy/local/services.sh start, or unset the variable to start one per test process.");
        }

        return server;
    }

    private static async Task<RegistryServer> StartContainerAsync()
    {
        IContainer container;
        try
        {
            container = new ContainerBuilder(ContainerImage)
                .WithPortBinding(5000, assignRandomHostPort: true)
                .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPath("/v2/").ForPort(5000)))
                .Build();
            await container.StartAsync().ConfigureAwait(false);
        }
        catch (DockerUnavailableException e)
        {
            throw new SkipException(
                $"No OCI registry to test against: {Binary} is not installed and there is no Docker engine for Testcontainers ({e.Message}). " +
                "Install it with apt-get install docker-registry apache2-utils (./deploy/local/services.sh start does), or start Docker.");
        }

        // Docker publishes on the host's loopback too; the address is what references name.
        return new RegistryServer($"127.0.0.1:{container.GetMappedPublicPort(5000)}", RegistryAuth.None, container: container);
    }

    private static async Task<string> HtpasswdLineAsync(string username, string password)
    {
        // -B bcrypt (the only scheme distribution accepts), -b password on the command line, -n print, don't write a file.
        var start = new ProcessStartInfo("htpasswd", ["-Bbn", username, password])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process htpasswd;
        try
        {
            htpasswd = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SkipException($"This test needs htpasswd to make the registry's password file: apt-get install apache2-utils ({e.Message}).");
        }

        using (htpasswd)
        {
            var line = await htpasswd.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            var error = await htpasswd.StandardError.ReadToEndAsync().ConfigureAwait(false);
            await htpasswd.WaitForExitAsync().ConfigureAwait(false);
            return htpasswd.ExitCode == 0 ? line.Trim() + "\n" : throw new InvalidOperationException($"htpasswd failed: {error}");
        }
    }

    private async Task<bool> WaitReadyAsync()
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        while (!deadline.IsCancellationRequested)
        {
            if (process is { HasExited: true })
            {
                return false;
            }

            if (await AnswersAsync(deadline.Token).ConfigureAwait(false))
            {
                return true;
            }

            try
            {
                await Task.Delay(100, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return false;
    }

    // Any answer to GET /v2/ (200, or 401 with a challenge) means the registry serves the API.
    private async Task<bool> AnswersAsync(CancellationToken cancel)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await http.GetAsync(new Uri($"http://{Address}/v2/"), cancel).ConfigureAwait(false);
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 100 && output.TryDequeue(out _))
        {
        }
    }

    private void Kill()
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        process?.Dispose();
        if (container is not null)
        {
            await container.DisposeAsync().ConfigureAwait(false);
        }

        if (Tokens is not null)
        {
            await Tokens.DisposeAsync().ConfigureAwait(false);
        }

        if (storage is not null && Directory.Exists(storage))
        {
            Directory.Delete(storage, recursive: true);
        }
    }
}
