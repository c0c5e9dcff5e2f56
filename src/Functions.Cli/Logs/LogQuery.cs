namespace Functions.Cli.Logs;

/// <summary>Which of an app's log records to ask for; null fields do not filter.</summary>
public sealed record LogQuery(string? RequestId = null, string? Route = null, DateTimeOffset? Since = null, int? Limit = null);
