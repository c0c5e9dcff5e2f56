using System.Collections.Frozen;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Baseline;

/// <summary>
/// The yardstick for the worker: plain Kestrel answering each benchmarked path with the bytes the worker answered
/// for it (captured beforehand), the same content type, and an <c>X-Request-Id</c> of the same length as the
/// worker's. Terminal middleware, no routing, no logging: the least an ASP.NET Core endpoint can do.
/// </summary>
internal static class BaselineServer
{
    // 32 hex digits, the length of the worker's request ids (Guid "N").
    private const string RequestId = "0123456789abcdef0123456789abcdef";

    public static async Task<int> RunAsync(Arguments args)
    {
        var urls = args.Required("urls");
        var responses = CapturedResponse.LoadManifest(args.Required("manifest"));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        await using var app = builder.Build();
        app.Run(context =>
        {
            if (!responses.TryGetValue(context.Request.Path.Value ?? "", out var response))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            context.Response.Headers["X-Request-Id"] = RequestId;
            context.Response.ContentType = response.ContentType;
            context.Response.ContentLength = response.Body.Length;
            return context.Response.Body.WriteAsync(response.Body, context.RequestAborted).AsTask();
        });
        Console.Error.WriteLine($"baseline: serving {string.Join(", ", responses.Keys)} on {urls}");
        await app.RunAsync();
        return 0;
    }
}

/// <summary>One response captured from the worker.</summary>
internal sealed record CapturedResponse(string ContentType, byte[] Body)
{
    /// <summary>Reads lines <c>path TAB content-type TAB body-file</c>.</summary>
    public static FrozenDictionary<string, CapturedResponse> LoadManifest(string path)
    {
        var responses = new Dictionary<string, CapturedResponse>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0))
        {
            var fields = line.Split('\t');
            if (fields.Length != 3)
            {
                throw new UsageException($"{path}: '{line}' is not 'path<TAB>content-type<TAB>body-file'");
            }

            responses[fields[0]] = new CapturedResponse(fields[1], File.ReadAllBytes(fields[2]));
        }

        return responses.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
