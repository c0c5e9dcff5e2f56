using System.Diagnostics;
using Functions.ControlPlane.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using static Functions.ControlPlane.Apps.DeploymentOutcome;

namespace Functions.ControlPlane.Apps;

/// <summary>The problem document each refused deploy, rollback or deletion of <c>app</c> answers with: one table.</summary>
internal static class DeploymentProblems
{
    public static ProblemHttpResult For(string app, DeploymentOutcome refusal) => refusal switch
    {
        AppNotFound => Problems.AppNotFound(app),
        ReleaseNotFound(var version, var latest) => Problems.NotFound("Release not found",
            $"Application '{app}' has no release {version}; its releases are 1 to {latest} " +
            $"(GET /api/v1/apps/{app}/releases)."),
        ModulesDeleted(var version, var digests) => Problems.Conflict("Modules of the release were deleted",
            $"Release {version} of '{app}' uses modules that have since been deleted: " +
            $"{string.Join(", ", digests)}. Upload the same .wasm files again (their digests will match), " +
            "then retry the rollback."),
        VolumesRefused(var version, var reasons) => Problems.Conflict("Volumes of the release are no longer allowed",
            $"Release {version} of '{app}' maps host directories that the volumes rules no longer allow: " +
            $"{string.Join("; ", reasons)}. Deploy a release whose volumes stay under the volumes root instead; " +
            "nothing was changed."),
        RoutesTaken(var routes) => RoutesTakenProblem(routes),
        ConcurrentChange => Problems.ConcurrentChange(app),
        ReferenceGone => Problems.Conflict("A module or file bundle was deleted meanwhile",
            $"A module or file bundle used by this release of '{app}' was deleted while the request ran; nothing was " +
            "changed. Upload it again and retry."),
        Activated or Deleted => throw new ArgumentException($"{refusal} is a success, not a refusal.", nameof(refusal)),
        _ => throw new UnreachableException($"{refusal.GetType().Name} has no problem document: add it here."),
    };

    private static ProblemHttpResult RoutesTakenProblem(IReadOnlyList<TakenRoute> routes)
    {
        var list = string.Join("; ", routes.Select(t => $"route '{t.Route}' is served by application '{t.App}'"));
        return TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Route already served by another application",
            Detail = $"{char.ToUpperInvariant(list[0])}{list[1..]}. Routes are unique across active applications: " +
                "remove the route from that application (deploy it without the route, or delete it), or choose another route.",
            Extensions = { ["conflicts"] = routes.Select(t => new { route = t.Route, app = t.App }).ToList() },
        });
    }
}
