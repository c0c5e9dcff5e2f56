using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Functions.Testing.Registry;

/// <summary>
/// A token service as the distribution registry's <c>auth.token</c> expects one: <c>GET /token?service=…&amp;scope=…</c>
/// with Basic credentials answers a JWT (ES256) whose <c>x5c</c> header carries a self-signed certificate the registry
/// trusts through <c>rootcertbundle</c>. Wrong or missing credentials get <c>401</c>.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string Issuer = "functions-test-token-server";
    public const string Service = "functions-test-registry";

    private readonly WebApplication app;
    private readonly ECDsa key;
    private readonly X509Certificate2 certificate;
    private readonly string username;
    private readonly string password;
    private int issued;

    private TokenServer(WebApplication app, ECDsa key, X509Certificate2 certificate, string username, string password)
    {
        this.app = app;
        this.key = key;
        this.certificate = certificate;
        this.username = username;
        this.password = password;
    }

    /// <summary>Where the registry sends clients for a token.</summary>
    public Uri Realm { get; private set; } = null!;

    /// <summary>The signing certificate, PEM: what the registry's <c>rootcertbundle</c> holds.</summary>
    public string CertificatePem => certificate.ExportCertificatePem();

    /// <summary>Tokens handed out so far (a client that caches asks once per scope).</summary>
    public int TokensIssued => Volatile.Read(ref issued);

    public static async Task<TokenServer> StartAsync(string username, string password)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=functions test token signer", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TokenServer(app, key, certificate, username, password);
        app.MapGet("/token", server.Issue);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Realm = new Uri(new Uri(address), "/token");
        return server;
    }

    private IResult Issue(HttpContext context)
    {
        if (!LoggedIn(context.Request.Headers.Authorization.ToString()))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"functions test token server\"";
            return Results.Json(new { errors = new[] { new { code = "UNAUTHORIZED", message = "wrong or missing credentials" } } }, statusCode: 401);
        }

        var access = context.Request.Query["scope"]
            .SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(s => s.Split(':'))
            .Where(p => p.Length == 3)
            .Select(p => new { type = p[0], name = p[1], actions = p[2].Split(',') })
            .ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object>
        {
            ["typ"] = "JWT",
            ["alg"] = "ES256",
            ["x5c"] = new[] { Convert.ToBase64String(certificate.RawData) },
        };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = username,
            ["aud"] = context.Request.Query["service"].ToString() is { Length: > 0 } service ? service : Service,
            ["iat"] = now,
            ["nbf"] = now - 10,
            ["exp"] = now + 300,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signed = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        // IEEE P1363 (r||s) is JWS's ES256 format, and .NET's default.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256);
        var token = $"{signed}.{Base64Url(signature)}";
        Interlocked.Increment(ref issued);
        return Results.Json(new { token, access_token = token, expires_in = 300, issued_at = DateTimeOffset.FromUnixTimeSeconds(now).ToString("O") });
    }

    private bool LoggedIn(string authorization)
    {
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim())).Split(':', 2);
            return pair.Length == 2 && pair[0] == username && pair[1] == password;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        certificate.Dispose();
        key.Dispose();
    }
}
