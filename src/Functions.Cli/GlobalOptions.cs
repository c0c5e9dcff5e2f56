using System.CommandLine;

namespace Functions.Cli;

/// <summary>
/// <c>--url</c>, <c>--key</c> and <c>--json</c>, accepted by every command. The environment supplies the first two
/// when they are not given; they have no declared defaults so that help never prints the admin key.
/// </summary>
internal sealed class GlobalOptions
{
    public const string UrlVariable = "FUNCTIONS_URL";
    public const string KeyVariable = "FUNCTIONS_ADMIN_KEY";
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"The control plane's address [default: ${UrlVariable}, else {DefaultUrl}]",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = $"The admin API key [default: ${KeyVariable}]",
        HelpName = "key",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write one JSON document to stdout, for scripts; no progress or notes on stderr",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Url);
        root.Options.Add(Key);
        root.Options.Add(Json);
    }
}
