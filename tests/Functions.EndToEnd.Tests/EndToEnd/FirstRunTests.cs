using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Functions.Testing;
using Functions.Testing.Hosts;
using Xunit.Abstractions;

namespace Functions.EndToEnd.Tests.EndToEnd;

/// <summary>
/// The README's two commands as a newcomer runs them: from a fresh clone in a private (0700) folder, as root, with
/// nothing running. <c>./deploy/run.sh</c> must serve a deploy made with the launcher it prints, and
/// <c>./deploy/test.sh</c> must pass, although the servers' users (postgres, rabbitmq) cannot enter the checkout.
/// The clone is of the committed HEAD: uncommitted changes are not part of it.
/// </summary>
public sealed partial class FirstRunTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunReady = TimeSpan.FromMinutes(12);
    private static readonly TimeSpan TestRun = TimeSpan.FromMinutes(15);

    [SkippableFact]
    public async Task The_two_commands_work_from_a_clone_in_a_private_folder()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/usr/lib/postgresql/15/bin/initdb") && File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server"),
            "This test runs ./deploy/run.sh and ./deploy/test.sh from a clone in a 0700 folder, as root, with the Debian Postgres 15 " +
            "and rabbitmq-server packages installed (./deploy/test.sh installs them).");
        Skip.IfNot(Directory.Exists(Path.Combine(RepoPaths.Root, ".git")) && await RunAsync("git", ["-C", RepoPaths.Root, "rev-parse", "HEAD"]) is (0, _),
            "The checkout is not a git repository: there is nothing to clone.");

        var home = Directory.CreateTempSubdirectory("functions-first-run-").FullName; // 0700, like mktemp -d
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(home));
        }
        var clone = Path.Combine(home, "functions");
        var environment = CleanEnvironment();
        Process? run = null;
        var runOutput = new StringBuilder();
        try
        {
            Assert.Equal(0, (await RunAsync("git", ["clone", "-q", "--no-hardlinks", RepoPaths.Root, clone])).Exit);

            // 1. ./deploy/run.sh: ready when it prints its banner.
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            run = Start(Path.Combine(clone, "deploy", "run.sh"), [], clone, environment, line =>
            {
                lock (runOutput)
                {
                    runOutput.AppendLine(line);
                }

                if (line.Contains("Press Ctrl-C to stop.", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            });
            var exited = run.WaitForExitAsync();
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(RunReady));
            Assert.True(first == ready.Task, $"./deploy/run.sh did not get ready (exited: {run.HasExited}):\n{Text(runOutput)}");

            var printed = Text(runOutput);
            Assert.DoesNotContain("fail:", printed, StringComparison.Ordinal);
            Assert.DoesNotContain("[error]", printed, StringComparison.Ordinal);
            var launcher = Path.Combine(clone, ".local", "bin", "functions");
            Assert.Contains($"{launcher} deploy samples/out/hello.wasm --app hello --route /hello", printed, StringComparison.Ordinal);
            Assert.True(File.Exists(launcher), $"the launcher {launcher} that run.sh printed is not there");
            Assert.Matches(@"the servers' data is in /var/lib/functions-local/functions-[0-9a-f]{12} ", printed);

            // 2. The README's first deploy, with the launcher, then a call to the worker.
            var deploy = await RunAsync(launcher, ["deploy", "samples/out/hello.wasm", "--app", "hello", "--route", "/hello"], clone, environment);
            Assert.True(deploy.Exit == 0, $"functions deploy: {deploy.Output}");
            var status = await RunAsync(launcher, ["status", "hello", "--wait", "--timeout", "120s"], clone, environment);
            Assert.True(status.Exit == 0, $"functions status --wait: {status.Output}");
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
            {
                var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{environment["FUNCTIONS_WORKER_PORTS"]}/hello"));
                Assert.Contains("Hello from a WebAssembly function!", body, StringComparison.Ordinal);
            }

            // 2b. Host volumes are on under .local/volumes (the banner says so): a route mounting a folder there serves
            // its file, as a WAGI modules.toml whose volumes point inside it would.
            var volumes = Path.Combine(clone, ".local", "volumes");
            Assert.Contains($"host volumes   {volumes}/", printed, StringComparison.Ordinal);
            Directory.CreateDirectory(Path.Combine(volumes, "site"));
            await File.WriteAllTextAsync(Path.Combine(volumes, "site", "hello.txt"), "from a host volume\n");
            File.Copy(Fixtures.Path("readfile"), Path.Combine(clone, "readfile.wasm"));
            await File.WriteAllTextAsync(Path.Combine(clone, "files.toml"), $$"""
                app = "files"
                [[routes]]
                route = "/file"
                module = "readfile.wasm"
                volumes = { "/data" = "{{Path.Combine(volumes, "site")}}" }
                """);
            deploy = await RunAsync(launcher, ["deploy", "files.toml"], clone, environment);
            Assert.True(deploy.Exit == 0, $"functions deploy files.toml: {deploy.Output}");
            status = await RunAsync(launcher, ["status", "files", "--wait", "--timeout", "120s"], clone, environment);
            Assert.True(status.Exit == 0, $"functions status files --wait: {status.Output}");
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
            {
                var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{environment["FUNCTIONS_WORKER_PORTS"]}/file"));
                Assert.Equal("from a host volume\n", body);
            }

            // 3. ./deploy/test.sh in the same clone, on the services run.sh started (a few tests: the point is the
            // command, not the suite, which CI runs anyway).
            var tests = await RunAsync(Path.Combine(clone, "deploy", "test.sh"),
                ["--filter", "FullyQualifiedName~PostgresSmokeTests|FullyQualifiedName~RabbitMqSmokeTests|FullyQualifiedName~LocalServicesTests"],
                clone, environment, TestRun);
            var summary = tests.Output.TrimEnd().Split('\n')[^1];
            output.WriteLine($"deploy/test.sh: {summary}");
            Assert.True(tests.Exit == 0, $"./deploy/test.sh failed:\n{Tail(tests.Output)}");
            Assert.Matches(SummaryLine(), summary);
            Assert.DoesNotMatch("^0 passed", summary);

            // 4. SIGTERM stops everything run.sh started, the services included.
            Assert.Equal(0, (await RunAsync("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)])).Exit);
            await exited.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.False(await PortOpenAsync(int.Parse(environment["FUNCTIONS_PG_PORT"], CultureInfo.InvariantCulture)), "Postgres still listens after run.sh stopped");
        }
        finally
        {
            if (run is { HasExited: false })
            {
                await RunAsync("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)]);
                if (!run.WaitForExit(TimeSpan.FromMinutes(2)))
                {
                    run.Kill(entireProcessTree: true);
                }
            }

            run?.Dispose();
            var services = Path.Combine(clone, "deploy", "local", "services.sh");
            if (File.Exists(services))
            {
                await RunAsync(services, ["stop"], clone, environment, TimeSpan.FromMinutes(2));
            }

            DeleteServicesData(Path.Combine(clone, ".local"));
            Directory.Delete(home, recursive: true);
            output.WriteLine(Tail(Text(runOutput)));
        }
    }

    /// <summary>This process's environment without what points at the CI's own services, on free ports of its own.</summary>
    private static Dictionary<string, string> CleanEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (name.StartsWith("FUNCTIONS_", StringComparison.Ordinal) || name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                || name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.Ordinal)
                || name.StartsWith("DOTNET_HOST", StringComparison.Ordinal) || name == "ASPNETCORE_ENVIRONMENT")
            {
                continue;
            }

            environment[name] = (string?)entry.Value ?? "";
        }

        string Port() => HostProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        environment["FUNCTIONS_CONTROL_PLANE_PORT"] = Port();
        environment["FUNCTIONS_WORKER_PORTS"] = Port();
        environment["FUNCTIONS_WORKER_MANAGEMENT_PORTS"] = Port();
        environment["FUNCTIONS_PG_PORT"] = Port();
        environment["FUNCTIONS_AMQP_PORT"] = Port();
        environment["FUNCTIONS_RABBIT_MGMT_PORT"] = Port();
        environment["FUNCTIONS_RABBIT_DIST_PORT"] = Port();
        environment["FUNCTIONS_REGISTRY_PORT"] = Port();
        return environment;
    }

    /// <summary>The per-checkout folder services.sh chose under /var/lib/functions-local: it records its checkout.</summary>
    private static void DeleteServicesData(string localDir)
    {
        const string parent = "/var/lib/functions-local";
        if (!Directory.Exists(parent))
        {
            return;
        }

        foreach (var dir in Directory.GetDirectories(parent))
        {
            var marker = Path.Combine(dir, "checkout");
            if (File.Exists(marker) && File.ReadAllText(marker).Trim() == localDir)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static Process Start(string file, IEnumerable<string> arguments, string directory, Dictionary<string, string> environment, Action<string> onLine)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) { onLine(line); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { onLine(line); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<(int Exit, string Output)> RunAsync(
        string file, IEnumerable<string> arguments, string? directory = null, Dictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var text = new StringBuilder();
        using var process = Start(file, arguments, directory ?? Environment.CurrentDirectory,
            environment ?? CleanEnvironment(), line => { lock (text) { text.AppendLine(line); } });
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} did not finish within {timeout}:\n{Text(text)}");
        }

        process.WaitForExit(); // the output events are done once this returns
        return (process.ExitCode, Text(text));
    }

    private static async Task<bool> PortOpenAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(80));

    [GeneratedRegex(@"^\d+ passed, 0 failed$")]
    private static partial Regex SummaryLine();
}
