namespace Functions.Cli.Spin;

/// <summary>
/// Spin HTTP routes onto this platform's: <c>/exact</c>, <c>/prefix/...</c> and <c>/...</c> are the same syntax here;
/// the trigger's <c>base</c> is put in front. Route parameters (<c>/users/:id</c>) have no equivalent.
/// </summary>
internal static class SpinRoutes
{
    public static string? Map(string basePath, string route, out string? problem)
    {
        problem = null;
        if (!route.StartsWith('/'))
        {
            problem = "a route starts with '/', e.g. \"/hello\" or \"/api/...\".";
            return null;
        }

        var segments = route.Split('/');
        if (segments.Any(s => s.StartsWith(':')))
        {
            problem = "route parameters (':name') are not supported: use a prefix route such as \"/users/...\" and read " +
                "the rest of the path from PATH_INFO.";
            return null;
        }

        if (segments.SkipLast(1).Any(s => s == "...") || segments.Any(s => s.Contains("...", StringComparison.Ordinal) && s != "..."))
        {
            problem = "'...' (the wildcard) may only end a route, as a whole segment: \"/prefix/...\".";
            return null;
        }

        var prefix = "/" + basePath.Trim('/');
        return prefix == "/" ? route : prefix + route;
    }
}
