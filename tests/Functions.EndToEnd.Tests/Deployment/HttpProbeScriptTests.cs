using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Functions.EndToEnd.Tests.Deployment.Support;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>deploy/docker/http-probe.sh, the images' HEALTHCHECK, run for real against a socket on loopback.</summary>
public sealed class HttpProbeScriptTests
{
    private const string Script = "deploy/docker/http-probe.sh";

    [SkippableTheory]
    [InlineData("HTTP/1.1 200 OK", 0)]
    [InlineData("HTTP/1.1 204 No Content", 0)]
    [InlineData("HTTP/1.0 200 OK", 0)]
    [InlineData("HTTP/1.1 503 Service Unavailable", 1)]
    [InlineData("HTTP/1.1 404 Not Found", 1)]
    [InlineData("HTTP/1.1 302 Found", 1)]
    [InlineData("garbage", 1)]
    public async Task The_probe_passes_only_on_a_2xx_answer_to_a_get_of_the_path(string statusLine, int expectedExit)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var request = await ReadHeadAsync(stream);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{statusLine}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
            return request;
        });

        var (exit, _) = await RunProbeAsync(port, "/readyz");
        var request = await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(expectedExit, exit);
        Assert.StartsWith("GET /readyz HTTP/1.0\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nHost: localhost\r\n", request, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_probe_fails_with_a_reason_when_nothing_listens()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exit, error) = await RunProbeAsync(port, "/healthz");

        Assert.Equal(1, exit);
        Assert.Contains($"nothing listens on 127.0.0.1:{port}", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Error)> RunProbeAsync(int port, string path)
    {
        Skip.IfNot(File.Exists("/bin/bash"), "bash is not installed here: the probe script cannot run.");
        using var process = Process.Start(new ProcessStartInfo("/bin/bash", [RepoFile.Full(Script), port.ToString(System.Globalization.CultureInfo.InvariantCulture), path])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return (process.ExitCode, await error);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1024];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }
}
