using System.Text.RegularExpressions;

namespace Functions.ControlPlane.Apps;

/// <summary>Application names: like a DNS label, so they fit in host names, queue names and URLs unescaped.</summary>
public static partial class AppName
{
    public const int MaxLength = 63;

    public const string Rule =
        "an application name is 1–63 characters of lowercase letters, digits and '-', starting and ending with a " +
        "letter or digit (like a DNS label), e.g. 'hello-world'";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
