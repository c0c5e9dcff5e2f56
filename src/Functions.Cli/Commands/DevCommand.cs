using System.CommandLine;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Logs;
using Functions.Cli.Manifests;
using Functions.Cli.Output;
using Functions.Contracts.Api;

namespace Functions.Cli.Commands;

/// <summary>
/// <c>dev MANIFEST</c>: deploys the manifest, then watches it and the module files and file folders it names; on each
/// change (debounced, so a rebuild that rewrites a module counts once) deploys again when anything differs, waits for
/// the rollout, prints where the app is served, and prints the app's log lines throughout, until Ctrl-C.
/// </summary>
internal static class DevCommand
{
    /// <summary>Quiet time after the last file event before redeploying: a build writes a module in several steps.</summary>
    internal static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(400);

    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var manifest = new Argument<string>("manifest") { Description = "The app manifest (functions.toml or .json) to deploy and watch" };
        var app = new Option<string?>("--app") { Description = "The application; overrides the manifest's 'app'", HelpName = "name" };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait for each rollout: 500ms, 60s, 2m",
            DefaultValueFactory = _ => StatusCommand.DefaultTimeout,
            CustomParser = StatusCommand.ParseDuration,
            HelpName = "duration",
        };
        var command = new Command("dev", "Deploy a manifest, then redeploy it whenever it or the modules and files it names " +
            "change, waiting for each rollout and printing the app's logs, until Ctrl-C") { manifest, app, timeout };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var loop = new DevLoop(context, Path.GetFullPath(parse.GetValue(manifest)!), parse.GetValue(app), parse.GetValue(timeout));
            // Ctrl-C (SIGINT) and SIGTERM end the loop, not the process: the watchers and the log stream close, exit 0.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            void Stop(PosixSignalContext signal)
            {
                signal.Cancel = true;
                stop.Cancel();
            }

            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            await loop.RunAsync(stop.Token);
            return ExitCodes.Success;
        });
        return command;
    }

    private sealed class DevLoop(CliContext context, string manifestPath, string? appOverride, TimeSpan rolloutTimeout)
    {
        private readonly Channel<string> changes = Channel.CreateUnbounded<string>();
        private readonly List<FileSystemWatcher> watchers = [];
        private HashSet<string> watchedFiles = new(StringComparer.Ordinal);
        private List<string> watchedFolders = [];
        private string? deployed;
        private string? tailedApp;
        private CancellationTokenSource? tail;
        private Task tailTask = Task.CompletedTask;

        private CliOutput Output => context.Output;

        public async Task RunAsync(CancellationToken cancel)
        {
            Output.Note($"Watching {Relative(manifestPath)}; Ctrl-C stops.");
            try
            {
                await DeployAsync("start", cancel);
                while (!cancel.IsCancellationRequested)
                {
                    var first = await changes.Reader.ReadAsync(cancel);
                    var changed = new SortedSet<string>(StringComparer.Ordinal) { first };
                    // Debounce: wait until the files are quiet, collecting what changed meanwhile.
                    while (true)
                    {
                        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                        quiet.CancelAfter(Debounce);
                        try
                        {
                            changed.Add(await changes.Reader.ReadAsync(quiet.Token));
                        }
                        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                        {
                            break;
                        }
                    }

                    await DeployAsync(string.Join(", ", changed.Select(Relative)), cancel);
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // Ctrl-C: a clean end.
            }
            finally
            {
                // Said first: on Ctrl-C the process ends soon after the token is cancelled.
                Output.Note("Stopped watching.");
                foreach (var watcher in watchers)
                {
                    watcher.Dispose();
                }

                if (tail is not null)
                {
                    await tail.CancelAsync();
                    await tailTask.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    tail.Dispose();
                }
            }
        }

        private async Task DeployAsync(string reason, CancellationToken cancel)
        {
            try
            {
                var manifest = ManifestReader.Read(manifestPath);
                Watch(manifest);
                var name = appOverride ?? manifest.App
                    ?? throw new CliException($"{Relative(manifestPath)} does not name its application: add app = \"name\" to it, or pass --app NAME.");
                AppNames.Require(name, appOverride is null ? "The manifest's app" : "--app");
                var fingerprint = await FingerprintAsync(name, manifest, cancel);
                if (fingerprint == deployed)
                {
                    Output.Note($"{reason}: nothing to deploy (same manifest, modules and files).");
                    return;
                }

                Output.Note(reason == "start" ? $"Deploying {name}…" : $"Changed: {reason}; deploying {name}…");
                var result = await new Deployer(context.Api, Output).DeployAsync(name, manifest.Routes, cancel);
                deployed = fingerprint;
                Output.Line($"Deployed application '{result.App}': release {result.Version} (generation {result.Generation}).");
                StartTail(name, cancel);
                await WaitForRolloutAsync(name, result, cancel);
            }
            catch (CliException e)
            {
                ErrorReporter.Report(Output, e);
                Output.Note("Still watching: fix it and save.");
            }
            catch (ApiException e)
            {
                ErrorReporter.Report(Output, e, keyGiven: context.Key is not null);
                Output.Note("Still watching: fix it and save.");
            }
        }

        private async Task WaitForRolloutAsync(string app, DeployResult result, CancellationToken cancel)
        {
            var started = context.Host.Time.GetUtcNow();
            while (true)
            {
                var rollout = await context.Api.GetRolloutAsync(app, cancel);
                var state = RolloutState.Of(rollout);
                if (state == RolloutState.Complete)
                {
                    var addresses = rollout.Workers.Where(w => w.Online && w.Status == WorkerRollout.Applied).Select(w => w.Address.TrimEnd('/'));
                    var routes = result.Routes.Select(r => r.Route.EndsWith("/...", StringComparison.Ordinal) ? r.Route[..^3] : r.Route);
                    Output.Line($"Release {result.Version} served at: " +
                        string.Join(" ", addresses.SelectMany(a => routes.Select(r => a + r))));
                    return;
                }

                if (state == RolloutState.Failed)
                {
                    Output.Line($"Release {result.Version} failed on: " + string.Join("; ", rollout.Workers
                        .Where(w => w.Online && w.Status == WorkerRollout.Failed).Select(w => $"{w.NodeId}: {w.Error}")));
                    return;
                }

                if (context.Host.Time.GetUtcNow() - started >= rolloutTimeout)
                {
                    Output.Line(state == RolloutState.NoLiveWorkers
                        ? $"Release {result.Version}: no live worker to serve it (start one; see functions workers)."
                        : $"Release {result.Version}: still pending after {rolloutTimeout.TotalSeconds:0.#} s (functions status {app}).");
                    return;
                }

                await Task.Delay(context.Host.PollInterval, context.Host.Time, cancel);
            }
        }

        private void StartTail(string app, CancellationToken cancel)
        {
            if (app == tailedApp)
            {
                return;
            }

            tail?.Cancel();
            tail = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            tailedApp = app;
            var token = tail.Token;
            var since = context.Host.Time.GetUtcNow();
            tailTask = Task.Run(async () =>
            {
                try
                {
                    await LogTail.FollowAsync(context.Api, app, new LogQuery(Since: since), record =>
                    {
                        Output.Line(Output.Json ? LogLine.Json(record) : LogLine.Text(record));
                        return Task.CompletedTask;
                    }, token);
                }
                catch (Exception e) when (e is ApiException or ControlPlaneUnreachableException or HttpRequestException)
                {
                    Output.Note($"Logs of {app} are not available: {e.Message}");
                }
            }, CancellationToken.None);
        }

        /// <summary>What a deploy would send: the app, the manifest's text, each module's digest, each folder's listing.</summary>
        private async Task<string> FingerprintAsync(string app, AppManifest manifest, CancellationToken cancel)
        {
            var text = new StringBuilder(app).Append('\n').Append(await File.ReadAllTextAsync(manifestPath, cancel));
            foreach (var module in manifest.Routes.Select(r => r.ModulePath).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                text.Append('\n').Append(module).Append(' ').Append((await Deployer.DigestAsync(module, cancel)).Digest);
            }

            foreach (var folder in Folders(manifest))
            {
                foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var info = new FileInfo(file);
                    text.Append('\n').Append(file).Append(' ').Append(info.Length).Append(' ').Append(info.LastWriteTimeUtc.Ticks);
                }
            }

            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }

        private static IEnumerable<string> Folders(AppManifest manifest) => manifest.Routes
            .SelectMany(r => r.Files?.Values ?? []).Select(p => p.Folder).OfType<string>()
            .Where(Directory.Exists).Distinct(StringComparer.Ordinal);

        /// <summary>Watches the manifest, its module files and its file folders (again after each manifest read).</summary>
        private void Watch(AppManifest manifest)
        {
            var files = new HashSet<string>(StringComparer.Ordinal) { manifestPath };
            files.UnionWith(manifest.Routes.Select(r => r.ModulePath).OfType<string>());
            var folders = Folders(manifest).Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).ToList();
            if (files.SetEquals(watchedFiles) && folders.SequenceEqual(watchedFolders))
            {
                return;
            }

            foreach (var watcher in watchers)
            {
                watcher.Dispose();
            }

            watchers.Clear();
            (watchedFiles, watchedFolders) = (files, folders);
            // One watcher per directory of a watched file (a build may replace the file: watch its folder, not it).
            foreach (var directory in files.Select(f => Path.GetDirectoryName(f)!).Distinct(StringComparer.Ordinal))
            {
                Add(new FileSystemWatcher(directory), path => watchedFiles.Contains(path));
            }

            foreach (var folder in folders)
            {
                Add(new FileSystemWatcher(folder) { IncludeSubdirectories = true }, _ => true);
            }
        }

        private void Add(FileSystemWatcher watcher, Func<string, bool> relevant)
        {
            watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size;
            void OnEvent(string path)
            {
                if (relevant(Path.GetFullPath(path)))
                {
                    changes.Writer.TryWrite(Path.GetFullPath(path));
                }
            }

            watcher.Changed += (_, e) => OnEvent(e.FullPath);
            watcher.Created += (_, e) => OnEvent(e.FullPath);
            watcher.Deleted += (_, e) => OnEvent(e.FullPath);
            watcher.Renamed += (_, e) => OnEvent(e.FullPath);
            watcher.Error += (_, e) => Output.Note($"Watching {watcher.Path} failed: {e.GetException().Message}");
            watcher.EnableRaisingEvents = true;
            watchers.Add(watcher);
        }

        private static string Relative(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
    }
}
