using System.Diagnostics.CodeAnalysis;

namespace Functions.Wagi;

/// <summary>
/// Reads what a module's <c>_routes</c> export prints (WAGI): one <c>&lt;sub-path&gt; &lt;export&gt;</c> per
/// line, each adding a route under the binding's route that runs that export. Runs at deploy time.
/// </summary>
/// <remarks>
/// Blank lines are ignored and <c>\r\n</c> is accepted. Empty output declares no routes (WAGI refuses it;
/// nothing is gained by failing a deployment over it). The binding's own route stays bound to its
/// entrypoint, so a sub-path that resolves to it (e.g. <c>/...</c> under <c>/parent/...</c>) is an error,
/// as is a route declared twice. Every bad line is reported, with its number.
/// </remarks>
public static class DynamicRoutes
{
    /// <summary>Name of the export that declares the routes.</summary>
    public const string RoutesExport = "_routes";

    /// <summary>Parses <paramref name="output"/>; throws <see cref="FormatException"/> listing every bad line.</summary>
    public static IReadOnlyList<DynamicRoute> Parse(string output, RoutePattern parent)
    {
        if (TryParse(output, parent, out var routes, out var errors))
        {
            return routes;
        }

        throw new FormatException(
            $"The {RoutesExport} output of the module bound at '{parent.Text}' has {errors.Count} bad line(s):{Environment.NewLine}"
            + string.Join(Environment.NewLine, errors));
    }

    /// <summary>Parses <paramref name="output"/>; on failure <paramref name="errors"/> has one message per bad line.</summary>
    public static bool TryParse(
        string output,
        RoutePattern parent,
        [NotNullWhen(true)] out IReadOnlyList<DynamicRoute>? routes,
        [NotNullWhen(false)] out IReadOnlyList<string>? errors)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(parent);

        var found = new List<DynamicRoute>();
        var problems = new List<string>();
        var lineNumber = 0;
        foreach (var rawLine in output.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            var problem = ParseLine(line, lineNumber, parent, found, out var route);
            if (problem is not null)
            {
                problems.Add($"line {lineNumber}: {problem}");
            }
            else
            {
                found.Add(route!);
            }
        }

        routes = problems.Count == 0 ? found : null;
        errors = problems.Count == 0 ? null : problems;
        return problems.Count == 0;
    }

    private static string? ParseLine(
        ReadOnlySpan<char> line, int lineNumber, RoutePattern parent, List<DynamicRoute> earlier, out DynamicRoute? route)
    {
        route = null;
        Span<Range> parts = stackalloc Range[3];
        var count = line.SplitAny(parts, " \t", StringSplitOptions.RemoveEmptyEntries);
        if (count != 2)
        {
            return $"'{line}' should be '<sub-path> <export>', e.g. '/hello hello_handler'";
        }

        var subPath = line[parts[0]].ToString();
        var entrypoint = line[parts[1]].ToString();
        if (!parent.TryAppend(subPath, out var pattern, out var error))
        {
            return $"sub-path '{subPath}' does not make a valid route under '{parent.Text}': {error}";
        }

        if (pattern == parent)
        {
            return $"sub-path '{subPath}' resolves to '{parent.Text}' itself, which stays bound to the binding's entrypoint; declare a deeper sub-path";
        }

        foreach (var other in earlier)
        {
            if (other.Pattern == pattern)
            {
                return $"route '{pattern.Text}' was already declared on line {other.Line}";
            }
        }

        route = new DynamicRoute(pattern, entrypoint, lineNumber);
        return null;
    }
}
