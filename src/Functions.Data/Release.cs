namespace Functions.Data;

/// <summary>An immutable, numbered snapshot of an application's route bindings; (app, version) is unique.</summary>
public sealed class Release
{
    public long Id { get; init; }

    public long ApplicationId { get; init; }

    public Application? Application { get; init; }

    public required int Version { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The generation at which this release was first activated.</summary>
    public required long CreatedGeneration { get; init; }

    public List<ReleaseRoute> Routes { get; init; } = [];
}
