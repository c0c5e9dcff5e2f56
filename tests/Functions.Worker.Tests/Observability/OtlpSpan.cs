namespace Functions.Worker.Tests.Observability;

/// <summary>A span as an OTLP exporter sent it, decoded by <see cref="OtlpDecoder"/>. Ids in lowercase hex.</summary>
public sealed record OtlpSpan(
    string Service,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links,
    int StatusCode,
    string StatusMessage)
{
    /// <summary>OTLP's <c>STATUS_CODE_ERROR</c>.</summary>
    public const int Error = 2;

    public override string ToString() => $"{Service} {Name} {TraceId}/{SpanId} parent {ParentSpanId}";
}
