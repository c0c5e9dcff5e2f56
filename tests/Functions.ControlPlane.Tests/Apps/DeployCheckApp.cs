using Functions.ControlPlane.Tests.Support;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>
/// A control plane with the deploy-check fixtures uploaded, and an app "owner" serving <c>/taken</c>, <c>/x/a</c>
/// and the routes module at <c>/dyn/...</c> (whose <c>_routes</c> adds <c>/dyn/a</c> and <c>/dyn/b/...</c>).
/// </summary>
public sealed class DeployCheckApp : ControlPlaneApp
{
    public static readonly string[] Modules =
    [
        "hello-wat", "routes", "badimport", "badwasi", "bigmemory", "bigtable", "manyglobals", "starttrap", "startloop", "startsleep",
        "routesmissing", "routestrap", "outbound",
    ];

    /// <summary>Digest by fixture name.</summary>
    public Dictionary<string, string> Digests { get; } = [];

    /// <summary>The workers' memory budget these checks assume: 1 GiB (a default route takes 202 MiB of it).</summary>
    public const long WorkerMemoryBytes = 1L << 30;

    public override async Task InitializeAsync()
    {
        Settings["Functions:DeployChecks:WorkerMemoryBytes"] = WorkerMemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await base.InitializeAsync();
        foreach (var name in Modules)
        {
            Digests[name] = await UploadAsync(Fixtures.Bytes(name));
        }

        await DeployAsync("owner", new
        {
            routes = new[]
            {
                new { route = "/taken", module = Digests["hello-wat"] },
                new { route = "/x/a", module = Digests["hello-wat"] },
                new { route = "/dyn/...", module = Digests["routes"] },
            },
        });
    }

    /// <summary><paramref name="body"/> with every <c>{fixture}</c> replaced by that fixture's digest.</summary>
    public string Resolve(string body)
    {
        foreach (var (name, digest) in Digests)
        {
            body = body.Replace($"{{{name}}}", digest, StringComparison.Ordinal);
        }

        return body;
    }
}
