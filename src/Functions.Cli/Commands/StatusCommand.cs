using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Functions.Cli.Api;
using Functions.Cli.Output;
using Functions.Contracts.Api;

namespace Functions.Cli.Commands;

/// <summary>
/// <c>status APP [--wait [--timeout 60s]]</c>: per worker, whether it applied the application's current generation
/// or the error it reported. <c>--wait</c> polls until every live worker has applied it (exit 0), one failed
/// (exit 1), or the timeout passes (exit 3).
/// </summary>
internal static class StatusCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var app = new Argument<string>("app") { Description = "The application" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every live worker serves the current release" };
        // No declared default: help would print it as 00:01:00.
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = "How long --wait waits: 60s, 2m, 500ms, or seconds [default: 60s]",
            HelpName = "duration",
            CustomParser = result => ParseDuration(result),
        };
        var command = new Command("status", "Show an application's rollout across worker nodes") { app, wait, timeout };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var name = parse.GetValue(app)!;
            var waiting = parse.GetValue(wait);
            var limit = parse.GetValue(timeout) ?? DefaultTimeout;
            var time = context.Host.Time;
            var started = time.GetTimestamp();
            string? lastProgress = null;
            while (true)
            {
                var rollout = await context.Api.GetRolloutAsync(name, cancel);
                var state = RolloutState.Of(rollout);
                var elapsed = time.GetElapsedTime(started);
                var timedOut = waiting && state is RolloutState.Pending or RolloutState.NoLiveWorkers && elapsed >= limit;
                if (!waiting || state is RolloutState.Complete or RolloutState.Failed || timedOut)
                {
                    return Report(context, rollout, state, waiting, timedOut, limit);
                }

                var progress = Summary(rollout, state);
                if (progress != lastProgress)
                {
                    context.Output.Note($"waiting: {progress}");
                    lastProgress = progress;
                }

                var remaining = limit - elapsed;
                await Task.Delay(remaining < context.Host.PollInterval ? remaining : context.Host.PollInterval, time, cancel);
            }
        });
        return command;
    }

    private static int Report(CliContext context, RolloutView rollout, string state, bool waited, bool timedOut, TimeSpan limit)
    {
        var output = context.Output;
        output.Document(new StatusDocument(state, timedOut, rollout), ApiJson.Default.StatusDocument);
        output.Line($"Application '{rollout.App}', release {rollout.Version} (generation {rollout.Generation}): {Summary(rollout, state)}");
        if (rollout.Workers.Count > 0)
        {
            var now = context.Host.Time.GetUtcNow();
            output.Table(["NODE", "STATUS", "LIVE", "APPLIED", "HEARTBEAT", "ERROR"], rollout.Workers.Select(w => (IReadOnlyList<string>)
            [
                w.NodeId,
                w.Status,
                w.Online ? "yes" : "no",
                w.AppliedGeneration.ToString(CultureInfo.InvariantCulture),
                Formats.Ago(w.LastHeartbeat, now),
                w.Error ?? "",
            ]));
        }

        if (timedOut)
        {
            output.Error.WriteLine($"error: the rollout did not complete within {Formats.Duration(limit)}: {Summary(rollout, state)}");
            output.Error.WriteLine(state == RolloutState.NoLiveWorkers
                ? "  No worker is live: start one (./deploy/run.sh starts the platform with one) and check `functions workers`."
                : "  Pending workers may still be compiling large modules: wait longer with --timeout, or see `functions workers`.");
            return ExitCodes.TimedOut;
        }

        if (waited && state == RolloutState.Failed)
        {
            output.Error.WriteLine("error: workers could not apply the release; the errors they reported are above. Fix the " +
                "module or binding and deploy again, or roll back: functions rollback " + rollout.App + " VERSION");
            return ExitCodes.Failed;
        }

        return ExitCodes.Success;
    }

    private static string Summary(RolloutView rollout, string state)
    {
        var live = rollout.Workers.Count(w => w.Online);
        var applied = rollout.Workers.Count(w => w.Online && w.Status == WorkerRollout.Applied);
        var pending = rollout.Workers.Where(w => w.Online && w.Status == WorkerRollout.Pending).Select(w => w.NodeId).ToList();
        var failed = rollout.Workers.Where(w => w.Online && w.Status == WorkerRollout.Failed).Select(w => w.NodeId).ToList();
        var text = state switch
        {
            RolloutState.NoLiveWorkers => "no live workers",
            RolloutState.Complete => $"complete, {applied} of {live} live workers serve it",
            _ => $"{state}, {applied} of {live} live workers serve it",
        };
        if (pending.Count > 0)
        {
            text += $"; pending: {string.Join(", ", pending)}";
        }

        if (failed.Count > 0)
        {
            text += $"; failed: {string.Join(", ", failed)}";
        }

        return text;
    }

    /// <summary><c>60s</c>, <c>2m</c>, <c>500ms</c>, <c>1h</c>, or a plain number of seconds.</summary>
    internal static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (TryParseDuration(text, out var duration))
        {
            return duration;
        }

        result.AddError($"'{text}' is not a duration: give e.g. 60s, 2m, 500ms or a number of seconds.");
        return default;
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        var units = new (string Suffix, double Ms)[] { ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("", 1000) };
        foreach (var (suffix, ms) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                && value >= 0)
            {
                duration = TimeSpan.FromMilliseconds(value * ms);
                return true;
            }
        }

        duration = default;
        return false;
    }
}
