namespace Functions.Wagi;

/// <summary>
/// What a request path matched: the route, and the path info WAGI derives from it.
/// </summary>
/// <remarks>
/// <see cref="RawPathInfo"/> is the raw path after <see cref="RoutePattern.Prefix"/>: <c>""</c> for an exact
/// route and for a wildcard hit on its bare prefix (<c>/a/...</c> on <c>/a</c>), <c>/x/y</c> for
/// <c>/a/...</c> on <c>/a/x/y</c>, and the whole path for <c>/...</c> (<c>/</c> on <c>/</c>, as in WAGI).
/// <see cref="PathInfo"/> is the same, percent-decoded as Spin and WAGI do: every <c>%XX</c> (including
/// <c>%2F</c>) becomes its byte, the bytes are read as UTF-8 with U+FFFD for invalid sequences, malformed
/// escapes stay as written, and <c>+</c> stays <c>+</c>.
/// </remarks>
public class RouteMatch
{
    /// <summary>Describes how <paramref name="pattern"/> serves <paramref name="rawPath"/>; the caller has checked it matches.</summary>
    public RouteMatch(RoutePattern pattern, string rawPath)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(rawPath);
        Pattern = pattern;
        RawPath = rawPath;
        RawPathInfo = pattern.IsWildcard && rawPath.Length > pattern.Prefix.Length ? rawPath[pattern.Prefix.Length..] : "";
        PathInfo = PercentDecoder.Decode(RawPathInfo);
    }

    /// <summary>The route that matched (WAGI's <c>X_MATCHED_ROUTE</c> is its <see cref="RoutePattern.Text"/>).</summary>
    public RoutePattern Pattern { get; }

    /// <summary>The request path as received, not decoded.</summary>
    public string RawPath { get; }

    /// <summary>WAGI's <c>SCRIPT_NAME</c>.</summary>
    public string ScriptName => Pattern.ScriptName;

    /// <summary>WAGI's <c>X_RAW_PATH_INFO</c>: the path after the route's prefix, not decoded.</summary>
    public string RawPathInfo { get; }

    /// <summary>WAGI's <c>PATH_INFO</c> and <c>PATH_TRANSLATED</c>: <see cref="RawPathInfo"/>, percent-decoded.</summary>
    public string PathInfo { get; }
}

/// <summary>A <see cref="RouteMatch"/> carrying what the route is bound to.</summary>
/// <typeparam name="T">What a route table maps routes to (for the worker: the function to run).</typeparam>
public sealed class RouteMatch<T> : RouteMatch
{
    /// <summary>Describes how <paramref name="pattern"/>, bound to <paramref name="value"/>, serves <paramref name="rawPath"/>.</summary>
    public RouteMatch(RoutePattern pattern, string rawPath, T value)
        : base(pattern, rawPath)
    {
        Value = value;
    }

    /// <summary>What the matched route is bound to.</summary>
    public T Value { get; }
}
