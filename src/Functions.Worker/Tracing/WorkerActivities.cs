using System.Diagnostics;

namespace Functions.Worker.Tracing;

/// <summary>The worker's own spans: one per invocation, and a deploy's sync, pull, compile and apply.</summary>
public static class WorkerActivities
{
    public const string SourceName = "Functions.Worker";

    public static readonly ActivitySource Source = new(SourceName);
}
