using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Functions.Runtime.Tests.Outbound;

/// <summary>A Kestrel server on a free loopback port that records what it receives, for outbound HTTP tests.</summary>
public sealed class OutboundTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;
    private int _slowAborted;

    private OutboundTestServer(WebApplication app) => _app = app;

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string Origin { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary>Every request received, as "METHOD /path".</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int SlowAborted => Volatile.Read(ref _slowAborted);

    public static async Task<OutboundTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new OutboundTestServer(app);
        app.Use(async (context, next) =>
        {
            server.Received.Enqueue($"{context.Request.Method} {context.Request.Path}");
            await next(context);
        });
        app.Map("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            context.Response.Headers["X-Reply"] = "yes";
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(
                $"method={context.Request.Method};x-test={context.Request.Headers["X-Test"]};type={context.Request.ContentType};body={body}");
        });
        app.Map("/status/{code:int}", (int code) => Results.Text($"status {code}", statusCode: code));
        app.Map("/slow", async (HttpContext context) =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref server._slowAborted);
            }
        });
        app.Map("/big/{bytes:int}", (int bytes) => Results.Bytes(new byte[bytes], "application/octet-stream"));
        app.Map("/redirect", (string to) => Results.Redirect(to));
        app.Map("/busy", async () =>
        {
            var now = Interlocked.Increment(ref server._inFlight);
            int max;
            while ((max = Volatile.Read(ref server._maxInFlight)) < now && Interlocked.CompareExchange(ref server._maxInFlight, now, max) != max)
            {
            }

            await Task.Delay(300);
            Interlocked.Decrement(ref server._inFlight);
            return Results.Text("done");
        });
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        server.Port = address.Port;
        server.Origin = $"http://127.0.0.1:{address.Port}";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
