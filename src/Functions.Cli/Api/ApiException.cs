namespace Functions.Cli.Api;

/// <summary>The control plane answered with an error; <see cref="Problem"/> says what to fix.</summary>
internal sealed class ApiException(int statusCode, Problem problem, string request)
    : Exception($"{request} answered {statusCode}: {problem.Title}")
{
    public int StatusCode { get; } = statusCode;

    public Problem Problem { get; } = problem;

    /// <summary>Method and path, e.g. <c>PUT api/v1/apps/hello</c>.</summary>
    public string Request { get; } = request;

    /// <summary>The same error with the validation field names rewritten (to say where in a file they came from).</summary>
    public ApiException WithFieldNames(Func<string, string> rename) => Problem.Errors is null
        ? this
        : new ApiException(StatusCode, Problem with
        {
            Errors = Problem.Errors.ToDictionary(e => rename(e.Key), e => e.Value),
        }, Request);
}
