namespace Functions.Cli.Api;

/// <summary>An RFC 7807 problem as the control plane answers every error with: what went wrong, what to fix.</summary>
internal sealed record Problem
{
    public string? Type { get; init; }

    public string? Title { get; init; }

    public int? Status { get; init; }

    public string? Detail { get; init; }

    /// <summary>Validation problems by field, e.g. <c>routes[1].entrypoint</c>.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}
