namespace Functions.Cli;

/// <summary>Bad input from the user (a flag, a file): the message says what to fix. Exits with 1.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
        Details = [];
    }

    public CliException(string message, IReadOnlyList<string> details)
        : base(message)
    {
        Details = details;
    }

    /// <summary>One line per problem, printed under the message.</summary>
    public IReadOnlyList<string> Details { get; }
}
