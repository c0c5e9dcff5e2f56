using System.Diagnostics;
using System.Text;
using Functions.Testing;
using Functions.Testing.Hosts;

namespace Functions.EndToEnd.Tests.Authoring;

/// <summary>
/// <c>functions init</c> projects build with their one command and deploy with the CLI onto a real platform (control
/// plane and a worker as processes), and <c>functions dev</c> redeploys a rebuilt module.
/// </summary>
public sealed class AuthoringTests : IAsyncLifetime
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("functions-authoring-").FullName;
    private TestPlatform? _platform;

    public async Task InitializeAsync() => _platform = await TestPlatform.StartAsync("authoring", workers: 1);

    [SkippableFact]
    public async Task A_c_project_builds_with_make_deploys_and_greets_from_the_query_and_the_body()
    {
        SkipUnless(File.Exists("/usr/bin/clang-14") && NpmPackages.Which("make") is not null, "clang-14 and make (apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 make)");
        var project = await InitAsync("c", "hello-c");
        await BuildAsync(project, "make");
        await DeployAndCallAsync(project, "hello-c");
    }

    [SkippableFact]
    public async Task A_rust_project_builds_with_make_deploys_and_greets()
    {
        SkipUnless(File.Exists("/usr/bin/rustc") && Directory.Exists("/usr/lib/rustlib/wasm32-wasi") && NpmPackages.Which("make") is not null,
            "Debian's rustc with the wasm32-wasi standard library (apt-get install rustc libstd-rust-dev-wasm32 make)");
        var project = await InitAsync("rust", "hello-rs");
        await BuildAsync(project, "make");
        await DeployAndCallAsync(project, "hello-rs");
    }

    [SkippableFact]
    public async Task An_assemblyscript_project_builds_with_npm_deploys_and_greets()
    {
        SkipUnless(NpmPackages.Which("npm") is not null, "npm (apt-get install npm)");
        var project = await InitAsync("as", "hello-as");
        // The one command, with npm's download cache kept under .local/npm so later runs need no network.
        var cache = Path.Combine(RepoPaths.Root, ".local", "npm", "cache");
        await BuildAsync(project, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--cache", cache]);
        await BuildAsync(project, "npm", ["run", "build"]);
        await DeployAndCallAsync(project, "hello-as");
    }

    [Fact]
    public async Task Init_refuses_an_unknown_language_a_bad_name_and_a_folder_that_is_not_empty()
    {
        var unknown = await _platform!.CliAsync(_scratch, "init", "cobol", "x");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("c, rust, assemblyscript", unknown.Output, StringComparison.Ordinal);

        var bad = await _platform!.CliAsync(_scratch, "init", "c", "Bad_Name");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("lowercase letters", bad.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_scratch, "Bad_Name")));

        Directory.CreateDirectory(Path.Combine(_scratch, "taken"));
        await File.WriteAllTextAsync(Path.Combine(_scratch, "taken", "keep.txt"), "mine");
        var taken = await _platform!.CliAsync(_scratch, "init", "rust", "taken");
        Assert.Equal(1, taken.Exit);
        Assert.Contains("not empty", taken.Output, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(Path.Combine(_scratch, "taken")).Select(Path.GetFileName));
    }

    [SkippableFact]
    public async Task Dev_deploys_then_serves_the_rebuilt_module_as_a_new_release_and_ends_cleanly_on_ctrl_c()
    {
        SkipUnless(File.Exists("/usr/bin/clang-14") && NpmPackages.Which("make") is not null, "clang-14 and make");
        var project = await InitAsync("c", "devloop");
        await BuildAsync(project, "make");
        var output = new StringBuilder();
        var start = _platform!.CliStart(project, "dev", "functions.toml");
        using var dev = Process.Start(start)!;
        dev.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        dev.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        dev.BeginOutputReadLine();
        dev.BeginErrorReadLine();
        string Seen() { lock (output) { return output.ToString(); } }
        try
        {
            await Until(() => Seen().Contains("Release 1 served at: ", StringComparison.Ordinal), Seen);
            await ServedAsync("/devloop?name=Ada", "Hello, Ada!");

            var source = Path.Combine(project, "main.c");
            await File.WriteAllTextAsync(source, (await File.ReadAllTextAsync(source)).Replace("Hello, %s!", "Welcome back, %s!", StringComparison.Ordinal));
            await BuildAsync(project, "make");

            await Until(() => Seen().Contains("Release 2 served at: ", StringComparison.Ordinal), Seen);
            await ServedAsync("/devloop?name=Ada", "Welcome back, Ada!");
            // The function's stderr line reaches the terminal through the app's logs.
            var logs = "";
            await Until(async () =>
            {
                // For the failure message: whether the control plane has the record (the logs pipeline) or dev missed it.
                logs = await _platform!.Admin.GetStringAsync(new Uri("api/v1/apps/devloop/logs", UriKind.Relative));
                return Seen().Contains("greeting Ada", StringComparison.Ordinal);
            }, () => $"{Seen()}\nGET /api/v1/apps/devloop/logs: {logs}");

            // A broken manifest is reported, and the loop keeps watching.
            await File.AppendAllTextAsync(Path.Combine(project, "functions.toml"), "\nbogus = 1\n");
            await Until(() => Seen().Contains("bogus", StringComparison.Ordinal) && Seen().Contains("Still watching", StringComparison.Ordinal), Seen);
            Assert.False(dev.HasExited, Seen());

            using (var interrupt = Process.Start("kill", ["-INT", dev.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            using var ended = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await dev.WaitForExitAsync(ended.Token);
            Assert.True(dev.ExitCode == 0 && Seen().Contains("Stopped watching.", StringComparison.Ordinal), $"exit code {dev.ExitCode}\n{Seen()}");
        }
        finally
        {
            if (!dev.HasExited)
            {
                dev.Kill(entireProcessTree: true);
            }
        }
    }

    private async Task<string> InitAsync(string language, string name)
    {
        var run = await _platform!.CliAsync(_scratch, "init", language, name);
        Assert.True(run.Exit == 0, run.Output);
        var project = Path.Combine(_scratch, name);
        Assert.True(File.Exists(Path.Combine(project, "functions.toml")), run.Output);
        Assert.True(File.Exists(Path.Combine(project, "README.md")), run.Output);
        return project;
    }

    private static async Task BuildAsync(string project, string program, string[]? arguments = null)
    {
        var (exit, output) = await NpmPackages.RunAsync(program, arguments ?? [], project, TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments ?? [])} failed ({exit}):\n{output}");
    }

    private async Task DeployAndCallAsync(string project, string name)
    {
        var deploy = await _platform!.CliAsync(project, "deploy", "functions.toml");
        Assert.True(deploy.Exit == 0, deploy.Output);
        var status = await _platform!.CliAsync(project, "status", name, "--wait");
        Assert.True(status.Exit == 0, status.Output);

        await ServedAsync($"/{name}?name=Ada%20L", "Hello, Ada L!");
        using var http = new HttpClient { BaseAddress = _platform!.Workers[0].Address };
        using var posted = await http.PostAsync(new Uri($"/{name}", UriKind.Relative), new StringContent("Grace\n"));
        Assert.Equal("Hello, Grace!\n", await posted.Content.ReadAsStringAsync());
        Assert.Equal(name, Assert.Single(posted.Headers.GetValues("X-Function")));
    }

    private async Task ServedAsync(string path, string greeting)
    {
        using var http = new HttpClient { BaseAddress = _platform!.Workers[0].Address };
        var last = "";
        await Until(async () =>
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return last == $"200 {greeting}\n";
        }, () => last);
    }

    private static Task Until(Func<bool> condition, Func<string> state) => Until(() => Task.FromResult(condition()), state);

    private static async Task Until(Func<Task<bool>> condition, Func<string> state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached in time; last:\n{state()}");
            await Task.Delay(200);
        }
    }

    private static void SkipUnless(bool present, string what) =>
        Skip.IfNot(present, $"The toolchain for this template is not installed: {what}.");



    public async Task DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        Directory.Delete(_scratch, recursive: true);
    }
}
