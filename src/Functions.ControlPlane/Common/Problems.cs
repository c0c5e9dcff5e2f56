using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Functions.ControlPlane.Common;

/// <summary>The ProblemDetails (RFC 7807) the API answers with; each says what went wrong and what to do.</summary>
internal static class Problems
{
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid",
            Detail = detail ?? "Fix the fields listed in 'errors' and send the request again.",
        });

    public static ProblemHttpResult BadRequest(string title, string detail) =>
        Create(StatusCodes.Status400BadRequest, title, detail);

    public static ProblemHttpResult NotFound(string title, string detail) =>
        Create(StatusCodes.Status404NotFound, title, detail);

    public static ProblemHttpResult Conflict(string title, string detail) =>
        Create(StatusCodes.Status409Conflict, title, detail);

    public static ProblemHttpResult TooLarge(string detail) =>
        Create(StatusCodes.Status413PayloadTooLarge, "The module is too large", detail);

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", detail);

    public static ProblemHttpResult ConcurrentChange(string app) => Conflict(
        "Concurrent change",
        $"Another deploy, rollback or deletion of application '{app}' happened at the same time; nothing was " +
        "changed by this request. Retry it.");

    public static ProblemHttpResult AppNotFound(string app) => NotFound(
        "Application not found",
        $"There is no application named '{app}'. List them with GET /api/v1/apps; deploy one with PUT /api/v1/apps/{app}.");

    public static ProblemHttpResult ModuleNotFound(string digest) => NotFound(
        "Module not found",
        $"There is no module with digest '{digest}'. Upload it with POST /api/v1/modules; list them with GET /api/v1/modules.");

    private static ProblemHttpResult Create(int status, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });
}
