namespace Functions.Data;

/// <summary>
/// The single row holding the global generation: bumped (<c>UPDATE … SET value = value + 1 RETURNING value</c>) in
/// the same transaction as every activation, rollback or deletion, so it only grows and orders those commits.
/// </summary>
public sealed class GenerationCounter
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;

    public long Value { get; init; }

    public DateTimeOffset? ChangedAt { get; init; }
}
