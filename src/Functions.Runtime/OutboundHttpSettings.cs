namespace Functions.Runtime;

/// <summary>Which origins a function may call through <c>wasi_experimental_http</c>, and how many calls at once.</summary>
public sealed record OutboundHttpSettings
{
    public const int DefaultMaxConcurrency = 8;

    /// <summary>Normalised origins (<c>scheme://host[:port]</c>, lowercase, default port omitted); empty: no network.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>Outbound requests of one route in flight at once on one worker.</summary>
    public int MaxConcurrency { get; init; } = DefaultMaxConcurrency;

    public static OutboundHttpSettings None { get; } = new();
}
