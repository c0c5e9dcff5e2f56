namespace Functions.Wagi;

/// <summary>
/// An immutable set of routes, built once off the request path and then only read: exact routes beat
/// wildcards, and the longest wildcard prefix wins. Safe to share between threads.
/// </summary>
/// <remarks>
/// A match costs one dictionary probe for the exact routes, then one probe per segment of the path
/// walking up from the whole path to the root (<c>/a/b/c</c>, <c>/a/b</c>, <c>/a</c>, <c>""</c>), with no
/// allocation until a route is found. Paths are compared ordinally, raw (not decoded): the worker passes
/// the request target's path without its query.
/// </remarks>
/// <typeparam name="T">What each route is bound to.</typeparam>
public sealed class RouteTable<T>
{
    private readonly Dictionary<string, Entry> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _wildcards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _exactBySpan;
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _wildcardsBySpan;
    private readonly List<(RoutePattern Pattern, T Value)> _routes = [];

    /// <summary>Builds the table; a route given twice is an <see cref="ArgumentException"/> naming it.</summary>
    public RouteTable(IEnumerable<(RoutePattern Pattern, T Value)> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var (pattern, value) in routes)
        {
            ArgumentNullException.ThrowIfNull(pattern, nameof(routes));
            var entry = new Entry(pattern, value);
            var byKey = pattern.IsWildcard ? _wildcards : _exact;
            if (!byKey.TryAdd(pattern.Prefix, entry))
            {
                throw new ArgumentException($"Route '{pattern.Text}' is bound twice; each route may be bound once.", nameof(routes));
            }

            _routes.Add((pattern, value));
        }

        _exactBySpan = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardsBySpan = _wildcards.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>How many routes the table holds.</summary>
    public int Count => _routes.Count;

    /// <summary>The routes in the order given, for diagnostics and listings.</summary>
    public IReadOnlyList<(RoutePattern Pattern, T Value)> Routes => _routes;

    /// <summary>The route serving <paramref name="rawPath"/> (raw, no query), or null when none does (404).</summary>
    public RouteMatch<T>? Match(string rawPath)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        if (rawPath.Length == 0 || rawPath[0] != '/')
        {
            return null;
        }

        if (_exactBySpan.TryGetValue(rawPath, out var exact))
        {
            return exact.MatchOf(rawPath);
        }

        if (_wildcards.Count == 0)
        {
            return null;
        }

        // "/a/..." is stored under "/a": try the whole path, then cut one segment at a time.
        // Keys never end in '/', so "/a/" finds "/a" on the second step, giving PATH_INFO "/".
        ReadOnlySpan<char> candidate = rawPath;
        while (true)
        {
            if (_wildcardsBySpan.TryGetValue(candidate, out var wildcard))
            {
                return wildcard.MatchOf(rawPath);
            }

            if (candidate.IsEmpty)
            {
                return null;
            }

            candidate = candidate[..candidate.LastIndexOf('/')];
        }
    }

    private sealed record Entry(RoutePattern Pattern, T Value)
    {
        public RouteMatch<T> MatchOf(string rawPath) => new(Pattern, rawPath, Value);
    }
}
