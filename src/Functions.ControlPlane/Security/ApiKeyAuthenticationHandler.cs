using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>: the admin key or the worker key. A missing or unknown key is a 401, a
/// known key without the right role a 403; both answer with ProblemDetails that say what to send.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeys keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <key>'.");
        }

        var role = await keys.IdentifyAsync(header[BearerPrefix.Length..].Trim(), Context.RequestAborted);
        if (role is null)
        {
            return AuthenticateResult.Fail("The key is not valid.");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        string? header = Request.Headers.Authorization;
        var detail = string.IsNullOrEmpty(header)
            ? "Send the API key as 'Authorization: Bearer <key>'. The admin key is FUNCTIONS_ADMIN_KEY (or the one " +
              "printed on the control plane's console on first start); in Swagger UI use the Authorize button."
            : "The key in the Authorization header is not valid: send 'Authorization: Bearer <key>' with the admin " +
              "key (or the worker key for /internal/v1).";
        return WriteAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteAsync(
            StatusCodes.Status403Forbidden,
            "Forbidden",
            "This key may not call this endpoint: the worker key reads only /internal/v1; use the admin key for /api/v1.");
    }

    private Task WriteAsync(int status, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
}
