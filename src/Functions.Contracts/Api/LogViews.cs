namespace Functions.Contracts.Api;

/// <summary>One line a function wrote to stderr, or one platform event of an invocation.</summary>
public sealed record LogRecordView
{
    /// <summary>When the worker recorded it.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The worker node's id.</summary>
    public required string Worker { get; init; }

    public required string App { get; init; }

    public required string Route { get; init; }

    /// <summary>The invocation's request id (the <c>X-Request-Id</c> the worker answered with).</summary>
    public required string RequestId { get; init; }

    /// <summary><c>stderr</c> or <c>event</c>.</summary>
    /// <example>stderr</example>
    public required string Stream { get; init; }

    public required string Text { get; init; }
}
