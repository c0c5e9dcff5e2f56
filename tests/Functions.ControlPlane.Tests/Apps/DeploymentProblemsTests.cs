using Functions.Contracts.Api;
using Functions.ControlPlane.Apps;
using static Functions.ControlPlane.Apps.DeploymentOutcome;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>
/// The table from refusal to problem document, including the refusals only a race produces (which no request can
/// bring about on purpose), and a check that no refusal is missing from it.
/// </summary>
public sealed class DeploymentProblemsTests
{
    private static readonly Dictionary<string, DeploymentOutcome> Refusals = new()
    {
        ["app not found"] = new AppNotFound(),
        ["release not found"] = new ReleaseNotFound(9, 4),
        ["modules deleted"] = new ModulesDeleted(2, ["sha256:aa", "sha256:bb"]),
        ["volumes refused"] = new VolumesRefused(3, ["route '/a': volume '/data' is gone", "route '/b': no root"]),
        ["routes taken"] = new RoutesTaken([new TakenRoute("/a", "one"), new TakenRoute("/b", "two")]),
        ["concurrent change"] = new ConcurrentChange(),
        ["reference gone"] = new ReferenceGone(),
    };

    public static TheoryData<string, int, string, string> Answers => new()
    {
        {
            "app not found", 404, "Application not found",
            "There is no application named 'shop'. List them with GET /api/v1/apps; deploy one with PUT /api/v1/apps/shop."
        },
        {
            "release not found", 404, "Release not found",
            "Application 'shop' has no release 9; its releases are 1 to 4 (GET /api/v1/apps/shop/releases)."
        },
        {
            "modules deleted", 409, "Modules of the release were deleted",
            "Release 2 of 'shop' uses modules that have since been deleted: sha256:aa, sha256:bb. Upload the same .wasm " +
            "files again (their digests will match), then retry the rollback."
        },
        {
            "volumes refused", 409, "Volumes of the release are no longer allowed",
            "Release 3 of 'shop' maps host directories that the volumes rules no longer allow: route '/a': volume '/data' " +
            "is gone; route '/b': no root. Deploy a release whose volumes stay under the volumes root instead; nothing " +
            "was changed."
        },
        {
            "routes taken", 409, "Route already served by another application",
            "Route '/a' is served by application 'one'; route '/b' is served by application 'two'. Routes are unique " +
            "across active applications: remove the route from that application (deploy it without the route, or " +
            "delete it), or choose another route."
        },
        {
            "concurrent change", 409, "Concurrent change",
            "Another deploy, rollback or deletion of application 'shop' happened at the same time; nothing was changed " +
            "by this request. Retry it."
        },
        {
            "reference gone", 409, "A module or file bundle was deleted meanwhile",
            "A module or file bundle used by this release of 'shop' was deleted while the request ran; nothing was " +
            "changed. Upload it again and retry."
        },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Each_refusal_answers_its_status_title_and_a_detail_that_says_what_to_do(
        string refusal, int status, string title, string detail)
    {
        var problem = DeploymentProblems.For("shop", Refusals[refusal]).ProblemDetails;

        Assert.Equal(status, problem.Status);
        Assert.Equal(title, problem.Title);
        Assert.Equal(detail, problem.Detail);
    }

    [Fact]
    public void Taken_routes_are_also_listed_in_the_conflicts_extension()
    {
        var problem = DeploymentProblems.For("shop", Refusals["routes taken"]).ProblemDetails;

        Assert.Equal(
            """[{"route":"/a","app":"one"},{"route":"/b","app":"two"}]""",
            System.Text.Json.JsonSerializer.Serialize(problem.Extensions["conflicts"]));
    }

    [Fact]
    public void Every_refusal_has_a_row_in_the_table()
    {
        var cases = typeof(DeploymentOutcome).GetNestedTypes()
            .Where(t => t.IsSubclassOf(typeof(DeploymentOutcome)) && t != typeof(Activated) && t != typeof(Deleted))
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal);

        Assert.Equal(cases, Refusals.Values.Select(r => r.GetType().Name).Order(StringComparer.Ordinal));
        Assert.Equal(Refusals.Keys.Order(StringComparer.Ordinal), Answers.Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_success_is_not_a_refusal()
    {
        Assert.Throws<ArgumentException>(() => DeploymentProblems.For("shop", new Activated(new Activation("shop", 1, 1))));
        Assert.Throws<ArgumentException>(() => DeploymentProblems.For("shop", new Deleted(1)));
    }
}
