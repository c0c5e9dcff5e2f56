using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Functions.ControlPlane.Common;

/// <summary>
/// Reads a JSON request body, turning malformed JSON into a 400 that names the JSON path at fault (the framework's
/// own binding answers such bodies with a bare 400).
/// </summary>
internal static class JsonBody
{
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'."));
        }

        if (UnknownCharset(request) is { } charset)
        {
            return (null, Problems.BadRequest(
                "Unknown charset",
                $"The Content-Type names the charset '{charset}', which is not a known text encoding: send JSON in " +
                "UTF-8 with 'Content-Type: application/json' (or 'application/json; charset=utf-8')."));
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value;
        try
        {
            var value = await request.ReadFromJsonAsync<T>(options.SerializerOptions, request.HttpContext.RequestAborted);
            return value is null
                ? (null, Problems.BadRequest("The body is empty", "Send a JSON object as the request body."))
                : (value, null);
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) ? "the body" : e.Path;
            return (null, Problems.Validation(
                new Dictionary<string, string[]> { [where] = [JsonMessage(e)] },
                "The body is not valid JSON for this request."));
        }
    }

    // ReadFromJsonAsync throws (a 500) on a charset it cannot decode (unknown, or disabled as UTF-7 is); say so instead.
    // Known ones (utf-16, …) are read.
    private static string? UnknownCharset(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.Charset.Value is not { } raw)
        {
            return null;
        }

        var charset = HeaderUtilities.RemoveQuotes(raw).Value ?? "";
        try
        {
            _ = Encoding.GetEncoding(charset);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return charset.Length > 64 ? charset[..64] + "…" : charset;
        }
    }

    // System.Text.Json messages end with the path and position; keep the sentence, the key carries the path.
    private static string JsonMessage(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
