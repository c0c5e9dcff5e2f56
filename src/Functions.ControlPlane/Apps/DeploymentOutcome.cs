namespace Functions.ControlPlane.Apps;

/// <summary>
/// What a deploy, rollback or deletion came to. <see cref="Deployments"/> returns it; <see cref="AppsApi"/> answers
/// it over HTTP (<see cref="DeploymentProblems"/> for the refusals). The set is closed: every case is nested here.
/// </summary>
internal abstract record DeploymentOutcome
{
    private DeploymentOutcome()
    {
    }

    /// <summary>The release is active at a new generation; the workers have been told.</summary>
    public sealed record Activated(Activation Activation) : DeploymentOutcome;

    /// <summary>The application and its releases are gone at a new generation; the workers have been told.</summary>
    public sealed record Deleted(long Generation) : DeploymentOutcome;

    /// <summary>There is no application of that name (rollback, deletion).</summary>
    public sealed record AppNotFound : DeploymentOutcome;

    /// <summary>The application has no such release; <paramref name="Latest"/> is its newest.</summary>
    public sealed record ReleaseNotFound(int Version, int Latest) : DeploymentOutcome;

    /// <summary>Modules the release uses were deleted since it was deployed.</summary>
    public sealed record ModulesDeleted(int Version, IReadOnlyList<string> Digests) : DeploymentOutcome;

    /// <summary>Volumes of the release that the volumes rules no longer allow, each with the reason.</summary>
    public sealed record VolumesRefused(int Version, IReadOnlyList<string> Reasons) : DeploymentOutcome;

    /// <summary>Routes of the release that other active applications serve, by route.</summary>
    public sealed record RoutesTaken(IReadOnlyList<TakenRoute> Routes) : DeploymentOutcome;

    /// <summary>Another change to the application won the race (a unique violation, deadlock or serialization failure).</summary>
    public sealed record ConcurrentChange : DeploymentOutcome;

    /// <summary>A module or file bundle the release uses was deleted while the request ran (a foreign key violation).</summary>
    public sealed record ReferenceGone : DeploymentOutcome;
}

/// <summary>A route that another active application serves.</summary>
internal sealed record TakenRoute(string Route, string App);
