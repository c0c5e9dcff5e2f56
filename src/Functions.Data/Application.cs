namespace Functions.Data;

/// <summary>A named set of route bindings; its releases are numbered snapshots, one of them active.</summary>
public sealed class Application
{
    public long Id { get; init; }

    /// <summary>Lowercase DNS-label-like, unique.</summary>
    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The version of the active release; null only inside the transaction that creates the app.</summary>
    public int? ActiveVersion { get; set; }

    /// <summary>The global generation at which the active release was activated.</summary>
    public long ActivatedGeneration { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }

    public List<Release> Releases { get; init; } = [];
}
