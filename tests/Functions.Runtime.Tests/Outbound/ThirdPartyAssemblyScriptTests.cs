using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Functions.Runtime.Outbound;
using Functions.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Functions.Runtime.Tests.Outbound;

/// <summary>
/// The reference repository's own AssemblyScript client and test module, run unmodified on our host.
/// <para>
/// <b>Third-party</b> (read from the git mirror of deislabs/wasi-experimental-http at v0.10.0, commit
/// <see cref="Commit"/>, through <see cref="ThirdPartySources"/>; never copied here): the library
/// <c>crates/as/index.ts</c> + <c>raw.ts</c> (<c>@deislabs/wasi-experimental-http</c>, with its <c>abort()</c> on any
/// error code after printing <c>ERROR CODE: N</c>), the test module <c>tests/as/index.ts</c> (exports <c>post</c>: POST
/// <c>https://postman-echo.com/post</c> with <c>Content-Type: text/plain</c>, <c>abc: def</c> and a body, expecting 200
/// and a <c>content-type</c>; <c>get</c>: GET <c>https://some-random-api.ml/facts/dog</c>, reading the whole body;
/// <c>concurrent</c>: three GETs never closed), built with the npm packages it pins (assemblyscript ^0.18.16 → 0.18.31,
/// as-wasi 0.4.4) and its own <c>asc</c> command line, by <c>tests/fixtures/thirdparty-as/build.sh</c>. The cases mirror
/// its <c>tests/integration.rs</c>: allowed hosts pass, no allowed hosts abort, <c>concurrent</c> at a limit of 2 aborts.
/// </para>
/// <para>
/// <b>Ours</b>: the Kestrel HTTPS server on loopback standing in for both hosts (what it answers is ours), a test
/// root certificate and a server certificate for the two names, and the test's outbound client: the worker's own
/// handler (<see cref="OutboundNetwork.CreateHandler"/>) with two test-only changes, a connect step that sends those two
/// names (port 443) to the loopback server and refuses every other, and the test root as the only trusted one (the
/// server name is still checked). The runtime, its allow list, limits and error codes are unchanged; the options are
/// the worker's defaults but for the body cap.
/// </para>
/// </summary>
public sealed class ThirdPartyAssemblyScriptTests : IAsyncLifetime, IDisposable
{
    private const string Repository = "deislabs/wasi-experimental-http";
    private const string Commit = "8291baece45cc51e18e69d7d5ad39ca20744e9f9";
    private const string Postman = "https://postman-echo.com";
    private const string DogFacts = "https://some-random-api.ml";
    private const long Cap = 64 * 1024;
    private static readonly Lazy<Task<byte[]>> Module = new(BuildAsync);

    private readonly ConcurrentQueue<OutboundCallRecord> _calls = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("functions-thirdparty-as-").FullName;
    private StandInServer _server = null!;
    private HttpClient _client = null!;
    private WasmRuntime _runtime = null!;

    public async Task InitializeAsync()
    {
        _server = await StandInServer.StartAsync();
        var options = new OutboundHttpOptions { MaxResponseBytes = Cap };
        var handler = OutboundNetwork.CreateHandler(options);
        handler.ConnectCallback = (context, cancel) =>
            context.DnsEndPoint is { Port: 443, Host: "postman-echo.com" or "some-random-api.ml" }
                // The stand-in is on loopback, a private address: the names stand for public hosts, so it is allowed here.
                ? OutboundNetwork.Connect(new DnsEndPoint("127.0.0.1", _server.Port), allowPrivate: true, cancel)
                : throw new HttpRequestException($"the test network reaches only the two stand-in hosts, not {context.DnsEndPoint}");
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            CustomTrustStore = { _server.Root },
            RevocationMode = X509RevocationMode.NoCheck,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _runtime = new WasmRuntime(new RuntimeOptions { CacheDirectory = _cache }, outbound: new OutboundCalls(() => _client, options, _calls.Enqueue));
    }

    public async Task DisposeAsync()
    {
        Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }

    public void Dispose()
    {
        _runtime?.Dispose();
        _client?.Dispose();
    }

    [SkippableFact]
    public async Task Its_post_and_get_pass_against_the_allowed_https_hosts()
    {
        var post = await Run("post", Allow(Postman, DogFacts));
        var get = await Run("get", Allow(Postman, DogFacts));

        AssertPassed(post);
        AssertPassed(get);
        var sent = _server.Received.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Equal("POST https://postman-echo.com/post", sent[0].Line);
        Assert.Equal("text/plain", sent[0].Headers["Content-Type"]);
        Assert.Equal("def", sent[0].Headers["abc"]);
        Assert.Equal("testing the body", sent[0].Body);
        Assert.Equal("GET https://some-random-api.ml/facts/dog", sent[1].Line);
        Assert.Equal("", sent[1].Body);
        Assert.All(_calls, c => Assert.Equal(OutboundOutcome.Completed, c.Outcome));
    }

    [SkippableFact]
    public async Task Without_allowed_hosts_it_aborts_on_error_7_and_nothing_is_sent()
    {
        var none = await Run("post", OutboundHttpSettings.None);
        var otherHost = await Run("post", Allow(DogFacts));

        foreach (var result in new[] { none, otherHost })
        {
            AssertAborted(result, "ERROR CODE: 7\nERROR MESSAGE: Destination URL not allowed.\n");
        }

        Assert.Empty(_server.Received);
        Assert.All(_calls, c => Assert.Equal(OutboundOutcome.Forbidden, c.Outcome));
    }

    [SkippableFact]
    public async Task A_status_it_does_not_expect_reaches_its_check()
    {
        _server.PostStatus = 503;

        var result = await Run("post", Allow(Postman));

        Assert.Equal(InvocationOutcome.ExitedWithError, result.Outcome);
        Assert.StartsWith("expected status 200 got 503", result.Text()); // its own check, after a successful req
        Assert.Single(_server.Received);
    }

    [SkippableFact]
    public async Task A_body_over_the_cap_is_error_11_and_one_within_it_is_read_whole()
    {
        _server.FactBytes = (int)Cap;
        var within = await Run("get", Allow(DogFacts));
        _server.FactBytes = (int)Cap + 1;
        var over = await Run("get", Allow(DogFacts));

        AssertPassed(within);
        AssertAborted(over, "ERROR CODE: 11\nERROR MESSAGE: Unable to send HTTP request.\n");
        Assert.Equal([OutboundOutcome.Completed, OutboundOutcome.TooLarge], _calls.Select(c => c.Outcome));
    }

    [SkippableFact]
    public async Task Its_three_unclosed_responses_abort_on_error_13_at_a_limit_of_2_and_pass_at_3()
    {
        var two = await Run("concurrent", new OutboundHttpSettings { AllowedHosts = [DogFacts], MaxConcurrency = 2 });
        Assert.Equal(2, _server.Received.Count); // the third is refused before it is sent
        var three = await Run("concurrent", new OutboundHttpSettings { AllowedHosts = [DogFacts], MaxConcurrency = 3 });

        AssertAborted(two, "ERROR CODE: 13\nERROR MESSAGE: Too many sessions.\n");
        AssertPassed(three);
        Assert.Equal(5, _server.Received.Count);
    }

    private static OutboundHttpSettings Allow(params string[] origins) => new() { AllowedHosts = origins };

    private async Task<InvocationResult> Run(string export, OutboundHttpSettings outbound)
    {
        var bytes = await Module.Value;
        var module = _runtime.LoadOrCompile("thirdparty:wasi-experimental-http-as", bytes);
        var settings = new FunctionSettings { Name = "thirdparty-as", Entrypoint = export, Timeout = TimeSpan.FromSeconds(20), Outbound = outbound };
        return await _runtime.RunOnceAsync(module, settings, Requests.With());
    }

    private static void AssertPassed(InvocationResult result) =>
        Assert.True(result is { Outcome: InvocationOutcome.Completed, ExitCode: 0 },
            $"{result.Outcome} (exit {result.ExitCode}): {result.Detail}\nstdout: {result.Text()}\nstderr: {string.Join('\n', result.StderrLines)}");

    /// <summary>The library printed the error code and called <c>abort()</c>: as-wasi's <c>wasi_abort</c> exits with 1.</summary>
    private static void AssertAborted(InvocationResult result, string printed)
    {
        Assert.Equal(InvocationOutcome.ExitedWithError, result.Outcome);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(printed, result.Text());
    }

    /// <summary>Extracts the repository into a temporary folder and builds <c>tests/as</c> there; skips without the mirror, node or npm.</summary>
    private static async Task<byte[]> BuildAsync()
    {
        var tree = Directory.CreateTempSubdirectory("functions-wasi-experimental-http-").FullName;
        try
        {
            await ThirdPartySources.ExtractAsync(Repository, Commit, tree);
            var output = Path.Combine(tree, "test-module.wasm");
            var script = Path.Combine(RepoPaths.Root, "tests", "fixtures", "thirdparty-as", "build.sh");
            using var process = Process.Start(new ProcessStartInfo("bash", [script, tree, output])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Skip.If(process.ExitCode == 3, stderr.Trim());
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"building {Repository} tests/as failed ({process.ExitCode}): {await stdout}{stderr}");
            }

            return await File.ReadAllBytesAsync(output);
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }
    }

    /// <summary>One request the stand-in received: "METHOD https://host/path", its headers and body.</summary>
    private sealed record Sent(string Line, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <summary>
    /// Kestrel on a free loopback port, HTTPS only, with a certificate for postman-echo.com and some-random-api.ml issued
    /// by a root made for this run: answers <c>POST /post</c> (JSON echo, <see cref="PostStatus"/>) and
    /// <c>GET /facts/dog</c> (a JSON fact of <see cref="FactBytes"/> bytes) for those hosts.
    /// </summary>
    private sealed class StandInServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private StandInServer(WebApplication app, X509Certificate2 root)
        {
            _app = app;
            Root = root;
        }

        public X509Certificate2 Root { get; }

        public int Port { get; private set; }

        public ConcurrentQueue<Sent> Received { get; } = new();

        public int PostStatus { get; set; } = 200;

        public int FactBytes { get; set; } = 64;

        public static async Task<StandInServer> StartAsync()
        {
            var (root, serverCertificate) = Certificates();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(serverCertificate)));
            var app = builder.Build();
            var server = new StandInServer(app, root);
            app.Use(async (HttpContext context, RequestDelegate next) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                var line = $"{context.Request.Method} {context.Request.Scheme}://{context.Request.Host}{context.Request.Path}";
                server.Received.Enqueue(new Sent(line, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
                switch (line)
                {
                    case "POST https://postman-echo.com/post":
                        context.Response.StatusCode = server.PostStatus;
                        await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["data"] = body });
                        break;
                    case "GET https://some-random-api.ml/facts/dog":
                        const string prefix = "{\"fact\":\"", suffix = "\"}";
                        context.Response.ContentType = "application/json";
                        await context.Response.WriteAsync(prefix + new string('w', server.FactBytes - prefix.Length - suffix.Length) + suffix);
                        break;
                    default:
                        context.Response.StatusCode = 404;
                        break;
                }
            });
            await app.StartAsync();
            server.Port = new Uri(app.Urls.First()).Port;
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            Root.Dispose();
        }

        private static (X509Certificate2 Root, X509Certificate2 Server) Certificates()
        {
            var now = DateTimeOffset.UtcNow;
            using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var rootRequest = new CertificateRequest("CN=Functions outbound test root", rootKey, HashAlgorithmName.SHA256);
            rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            using var rootWithKey = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

            using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var serverRequest = new CertificateRequest("CN=postman-echo.com", serverKey, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("postman-echo.com");
            names.AddDnsName("some-random-api.ml");
            serverRequest.CertificateExtensions.Add(names.Build());
            serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var issued = serverRequest.Create(rootWithKey, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
            using var withKey = issued.CopyWithPrivateKey(serverKey);
            var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            return (X509CertificateLoader.LoadCertificate(rootWithKey.RawData), server);
        }
    }
}
