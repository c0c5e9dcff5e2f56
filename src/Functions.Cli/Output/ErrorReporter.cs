using Functions.Cli.Api;

namespace Functions.Cli.Output;

/// <summary>
/// Prints a failure so the user knows what to fix: on stderr always, and with <c>--json</c> also as an
/// <see cref="ErrorDocument"/> on stdout.
/// </summary>
internal static class ErrorReporter
{
    public const string StartHint =
        "Is it running? Start the platform with ./deploy/run.sh (in the Functions checkout), or point --url " +
        $"(or {GlobalOptions.UrlVariable}) at a running control plane.";

    public static int Report(CliOutput output, ApiException e, bool keyGiven)
    {
        var problem = e.Problem;
        var title = problem.Title ?? $"HTTP {e.StatusCode}";
        var lines = new List<string>();
        if (problem.Detail is { Length: > 0 } detail)
        {
            lines.Add(detail);
        }

        foreach (var (field, messages) in problem.Errors ?? new Dictionary<string, string[]>())
        {
            lines.AddRange(messages.Select(message => $"{field}: {message}"));
        }

        if (e.StatusCode == 401)
        {
            lines.Add(keyGiven
                ? $"The key given (--key or {GlobalOptions.KeyVariable}) is not this control plane's admin key."
                : $"No admin key was given: pass --key or set {GlobalOptions.KeyVariable} (./deploy/run.sh prints it " +
                  "and keeps it in .local/keys/admin).");
        }

        Write(output, $"{title} ({e.StatusCode})", lines);
        output.Document(
            new ErrorDocument(new ErrorInfo("api", title, problem.Detail, e.StatusCode, problem.Errors)),
            ApiJson.Default.ErrorDocument);
        return ExitCodes.Failed;
    }

    public static int Report(CliOutput output, ControlPlaneUnreachableException e)
    {
        Write(output, e.Message, [StartHint]);
        output.Document(new ErrorDocument(new ErrorInfo("unreachable", e.Message, StartHint)), ApiJson.Default.ErrorDocument);
        return ExitCodes.Unreachable;
    }

    public static int Report(CliOutput output, Functions.Oci.OciException e)
    {
        Write(output, e.Message, []);
        output.Document(new ErrorDocument(new ErrorInfo("registry", e.Message, e.Kind.ToString(), Details: [e.Registry])), ApiJson.Default.ErrorDocument);
        return e.Kind == Functions.Oci.OciErrorKind.Unreachable ? ExitCodes.Unreachable : ExitCodes.Failed;
    }

    public static int Report(CliOutput output, CliException e)
    {
        Write(output, e.Message, e.Details);
        output.Document(
            new ErrorDocument(new ErrorInfo("input", e.Message, null, Details: e.Details.Count == 0 ? null : e.Details)),
            ApiJson.Default.ErrorDocument);
        return ExitCodes.Failed;
    }

    private static void Write(CliOutput output, string title, IEnumerable<string> lines)
    {
        output.Error.WriteLine($"error: {title}");
        foreach (var line in lines)
        {
            output.Error.WriteLine($"  {line}");
        }
    }
}
