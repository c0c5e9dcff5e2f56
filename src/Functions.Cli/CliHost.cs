namespace Functions.Cli;

/// <summary>
/// What the CLI needs from its surroundings: where to write, the environment, how to reach HTTP, the clock.
/// <see cref="FromConsole"/> is the real process; tests give writers, an environment and an in-process handler.
/// </summary>
internal sealed record CliHost
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Whether stderr is a terminal: upload progress is drawn only there.</summary>
    public bool ErrorIsTerminal { get; init; }

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Sends the HTTP requests; null for a real socket connection to <c>--url</c>.</summary>
    public HttpMessageHandler? Handler { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often <c>status --wait</c> asks the control plane.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public static CliHost FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };
}
