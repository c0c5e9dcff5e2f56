using System.Diagnostics;

namespace Functions.Messaging.Tracing;

/// <summary>
/// Whether the hosts export traces, read from the standard <c>OTEL_*</c> variables. Off unless asked for: an OTLP
/// endpoint (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) or
/// <c>OTEL_TRACES_EXPORTER=otlp</c> turns it on; <c>OTEL_TRACES_EXPORTER=none</c> or <c>OTEL_SDK_DISABLED=true</c>
/// keeps it off whatever else is set. Off, no tracer provider is registered: nothing listens to the hosts' activity
/// sources, so no span is sampled or recorded.
/// </summary>
public static class TraceExport
{
    public static bool IsOn(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (string.Equals(setting("OTEL_SDK_DISABLED")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var exporters = (setting("OTEL_TRACES_EXPORTER") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (exporters.Length > 0)
        {
            return exporters.Contains("otlp", StringComparer.OrdinalIgnoreCase);
        }

        return !string.IsNullOrWhiteSpace(setting("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || !string.IsNullOrWhiteSpace(setting("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    }

    /// <summary>The W3C <c>traceparent</c> of <paramref name="activity"/>, or null when it has none (not W3C, or no activity).</summary>
    public static string? TraceParentOf(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    /// <summary>The context a <c>traceparent</c> names, or default when it is absent or malformed (then it is ignored).</summary>
    public static ActivityContext ContextOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
