using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Logs;

namespace Functions.Cli.Commands;

/// <summary><c>logs APP</c>: an app's recent function logs (stderr lines and invocation events); <c>--follow</c> keeps going.</summary>
internal static class LogsCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var app = new Argument<string>("app") { Description = "The application whose logs to show" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new records as they come, until Ctrl-C" };
        var requestId = new Option<string?>("--request-id") { Description = "Only this invocation's records (the X-Request-Id it was answered with)", HelpName = "id" };
        var route = new Option<string?>("--route") { Description = "Only this route's records, as bound (e.g. /hello or /api/...)", HelpName = "route" };
        var since = new Option<string?>("--since") { Description = "Only records from this time on: 30s, 5m, 2h, 1d, or an ISO 8601 time", HelpName = "when" };
        var limit = new Option<int?>("--limit", "-n") { Description = "At most this many records, the newest (with --follow: of those already there)", HelpName = "n" };
        var command = new Command("logs",
            "Show an application's recent function logs: what its functions wrote to stderr, and what happened to their " +
            "invocations (traps, timeouts, 5xx answers). With --json, one JSON document (with --follow, one record per line).")
        {
            app, follow, requestId, route, since, limit,
        };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var output = context.Output;
            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } sinceText && (from = LogLine.ParseSince(sinceText, host.Time.GetUtcNow())) is null)
            {
                throw new CliException($"--since '{sinceText}' is neither a duration (30s, 5m, 2h, 1d, 1h30m) nor an ISO 8601 time (2026-12-03T10:15:00Z).");
            }

            if (parse.GetValue(limit) is < 1)
            {
                throw new CliException("--limit must be 1 or more.");
            }

            var query = new LogQuery(parse.GetValue(requestId), parse.GetValue(route), from, parse.GetValue(limit));
            var name = parse.GetValue(app)!;
            if (parse.GetValue(follow))
            {
                output.Note($"Following the logs of '{name}' (Ctrl-C to stop)…");
                await LogTail.FollowAsync(context.Api, name, query, async record =>
                {
                    await output.Out.WriteLineAsync(output.Json ? LogLine.Json(record) : LogLine.Text(record));
                    await output.Out.FlushAsync(CancellationToken.None);
                }, cancel);
                return ExitCodes.Success;
            }

            var records = await context.Api.GetLogsAsync(name, query, cancel);
            output.Document(records, ApiJson.Default.LogRecordList);
            foreach (var record in records.Items)
            {
                output.Line(LogLine.Text(record));
            }

            if (records.Items.Count == 0)
            {
                output.Note($"No log records of '{name}' match (the control plane keeps each app's recent records in memory).");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
