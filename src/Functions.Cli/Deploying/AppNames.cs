using System.Text.RegularExpressions;

namespace Functions.Cli.Deploying;

/// <summary>
/// The control plane's rule for application names, checked here too so that a bad name fails before any module is
/// uploaded (the control plane checks again).
/// </summary>
internal static partial class AppNames
{
    public const string Rule =
        "an application name is 1–63 characters of lowercase letters, digits and '-', starting and ending with a " +
        "letter or digit, e.g. 'hello-world'";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= 63 } && Pattern().IsMatch(name);

    /// <summary>Throws a <see cref="CliException"/> saying what to fix unless <paramref name="name"/> is valid.</summary>
    public static string Require(string? name, string source) => IsValid(name)
        ? name!
        : throw new CliException($"{source} '{name}' is not a valid application name: {Rule}.");

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
