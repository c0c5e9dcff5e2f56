using Functions.Runtime;
using Functions.Wagi;

namespace Functions.Worker.Serving;

/// <summary>
/// One applied generation: an immutable route table built from every served app, the apps themselves and the apps
/// that failed. Replaced as a whole, never edited, so a request sees either the old state or the new one.
/// </summary>
public sealed class ServingState
{
    public ServingState(
        long generation,
        IReadOnlyDictionary<string, ServedApp> apps,
        IReadOnlyDictionary<string, FailedApp> failures)
    {
        Generation = generation;
        Apps = apps;
        Failures = failures;
        var ordered = apps.Values.OrderBy(a => a.App, StringComparer.Ordinal).ToList();
        Routes = new RouteTable<ServedRoute>(ordered.SelectMany(a => a.Routes));
        Pools = ordered.SelectMany(a => a.Pools).ToDictionary(p => p.Key, p => p.Value);
    }

    public static ServingState Empty { get; } = new(0,
        new Dictionary<string, ServedApp>(StringComparer.Ordinal), new Dictionary<string, FailedApp>(StringComparer.Ordinal));

    public long Generation { get; }

    public RouteTable<ServedRoute> Routes { get; }

    /// <summary>Every pool of every served app (each pool belongs to one app: its key names it).</summary>
    public IReadOnlyDictionary<PoolKey, FunctionPool> Pools { get; }

    /// <summary>The apps served, by name, each at the release it was built from.</summary>
    public IReadOnlyDictionary<string, ServedApp> Apps { get; }

    /// <summary>The apps whose active release could not be applied, by name.</summary>
    public IReadOnlyDictionary<string, FailedApp> Failures { get; }
}
