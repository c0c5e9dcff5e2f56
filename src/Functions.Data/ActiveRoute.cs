namespace Functions.Data;

/// <summary>
/// A route currently served: one row per route of every active release. Its primary key (the route) is what
/// makes routes unique across active applications even under concurrent deploys, and its foreign key to the
/// module is what keeps a module in use from being deleted.
/// </summary>
public sealed class ActiveRoute
{
    public required string Route { get; init; }

    public required long ApplicationId { get; init; }

    public required long ReleaseRouteId { get; init; }

    public required string ModuleDigest { get; init; }
}
