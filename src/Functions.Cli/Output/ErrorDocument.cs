namespace Functions.Cli.Output;

/// <summary>With <c>--json</c>, a failed command still writes one document to stdout: <c>{"error": {…}}</c>.</summary>
internal sealed record ErrorDocument(ErrorInfo Error);

/// <summary>What went wrong.</summary>
/// <param name="Kind"><c>api</c> (the control plane refused), <c>unreachable</c>, <c>input</c> (a flag or file), <c>registry</c> (an OCI registry failed; Detail is the error kind, Details the registry) or <c>timeout</c>.</param>
/// <param name="Title">One line.</param>
/// <param name="Detail">What to fix.</param>
/// <param name="Status">The HTTP status, for <c>api</c>.</param>
/// <param name="Errors">Validation problems by field, for <c>api</c>.</param>
/// <param name="Details">One line per problem, for <c>input</c>.</param>
internal sealed record ErrorInfo(
    string Kind,
    string Title,
    string? Detail,
    int? Status = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    IReadOnlyList<string>? Details = null);
