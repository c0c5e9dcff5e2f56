using System.Text;
using System.Text.RegularExpressions;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>
/// The repository's .dockerignore, matched as Docker does: patterns relative to the context root, <c>*</c> and
/// <c>?</c> within one path segment, <c>**</c> across any number, <c>!</c> re-includes, the last matching line wins,
/// and a path is excluded when it or any folder above it matches.
/// </summary>
internal sealed class DockerIgnore(IReadOnlyList<(Regex Pattern, bool Exclude)> rules)
{
    public static DockerIgnore Load() =>
        new([.. RepoFile.Read(".dockerignore").Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.StartsWith('!') ? (ToRegex(line[1..]), false) : (ToRegex(line), true))]);

    public bool Excludes(string relativePath)
    {
        var segments = relativePath.Trim('/').Split('/');
        var excluded = false;
        foreach (var (pattern, exclude) in rules)
        {
            for (var length = 1; length <= segments.Length; length++)
            {
                if (pattern.IsMatch(string.Join('/', segments[..length])))
                {
                    excluded = exclude;
                    break;
                }
            }
        }

        return excluded;
    }

    private static Regex ToRegex(string pattern)
    {
        var segments = pattern.Trim().Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var regex = new StringBuilder("^");
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            if (segments[i] == "**")
            {
                regex.Append(last ? ".*" : "(?:[^/]+/)*");
                continue;
            }

            foreach (var c in segments[i])
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }

            if (!last)
            {
                regex.Append('/');
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
