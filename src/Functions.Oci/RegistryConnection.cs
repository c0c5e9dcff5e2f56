using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Functions.Oci;

/// <summary>
/// Requests to one repository of one registry, authenticated as the distribution spec describes: anonymous first; on
/// <c>401</c> a <c>Bearer</c> challenge is answered with a token from the realm (Basic credentials when configured),
/// a <c>Basic</c> challenge with the credentials; the header is cached per registry and scope, then the request retried.
/// </summary>
internal sealed class RegistryConnection
{
    private const int MaxRedirects = 5;
    private const int MaxTokenBytes = 1024 * 1024;
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PlainHttpProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient http;
    private readonly OciRegistrySettings settings;
    private readonly TokenCache tokens;
    private readonly string scope;
    private readonly OciCredential? credential;

    public RegistryConnection(HttpClient http, OciRegistrySettings settings, TokenCache tokens, OciReference reference, bool push)
    {
        this.http = http;
        this.settings = settings;
        this.tokens = tokens;
        Registry = reference.Registry;
        Repository = reference.Repository;
        scope = $"repository:{reference.Repository}:{(push ? "pull,push" : "pull")}";
        credential = settings.Credentials.TryGetValue(Registry, out var found) && found.Username.Length > 0 ? found : null;
        BaseUri = RegistryTransport.BaseUri(settings, Registry);
    }

    public string Registry { get; }

    public string Repository { get; }

    public Uri BaseUri { get; }

    private string BearerKey => $"{Registry}|{scope}";

    private string BasicKey => $"{Registry}|basic";

    public Uri Url(string relative) => new(BaseUri, relative);

    /// <summary>
    /// Sends the request <paramref name="build"/> makes (called again for the retry after authenticating), and returns
    /// whatever status the registry answers except an authentication failure, which throws.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, string what, CancellationToken cancel)
    {
        for (var attempt = 0; ; attempt++)
        {
            var request = build();
            request.Headers.Authorization = tokens.Get(BearerKey) ?? tokens.Get(BasicKey);
            HttpResponseMessage response;
            try
            {
                response = await SendRawAsync(request, cancel).ConfigureAwait(false);
            }
            finally
            {
                request.Dispose();
            }

            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response;
            }

            using (response)
            {
                var challenge = AuthChallenge.From(response.Headers);
                if (attempt > 0 || challenge is null)
                {
                    var error = await RegistryErrors.FromResponseAsync(response, Registry, what, cancel).ConfigureAwait(false);
                    throw challenge?["error"] == "insufficient_scope"
                        ? new OciException(OciErrorKind.Denied, Registry,
                            $"Registry {Registry} denied {what}: the login lacks the right ({scope}). {RegistryErrors.CredentialHint(Registry)}")
                        : error;
                }

                await AuthorizeAsync(challenge, what, cancel).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Like <see cref="SendAsync"/> for a GET, following redirects (blob storage) without the registry's credentials.</summary>
    public async Task<HttpResponseMessage> GetFollowingRedirectsAsync(Uri url, string what, CancellationToken cancel)
    {
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), what, cancel).ConfigureAwait(false);
        for (var hop = 0; IsRedirect(response.StatusCode) && response.Headers.Location is { } location; hop++)
        {
            var target = new Uri(url, location);
            response.Dispose();
            if (hop == MaxRedirects)
            {
                throw new OciException(OciErrorKind.Protocol, Registry, $"Registry {Registry} redirected {what} more than {MaxRedirects} times.");
            }

            if (target.Scheme == Uri.UriSchemeHttp && !RegistryTransport.AllowsPlainHttp(settings, target.Authority))
            {
                throw new OciException(OciErrorKind.InsecureNotAllowed, Registry,
                    $"Registry {Registry} redirected {what} to plain HTTP ({target.GetLeftPart(UriPartial.Authority)}); list {target.Authority} in Functions:Registries:Insecure if that is trusted.");
            }

            url = target;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            response = await SendRawAsync(request, cancel).ConfigureAwait(false);
        }

        return response;
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private async Task AuthorizeAsync(AuthChallenge challenge, string what, CancellationToken cancel)
    {
        if (challenge.IsBasic)
        {
            if (credential is null)
            {
                throw new OciException(OciErrorKind.Unauthorized, Registry,
                    $"Registry {Registry} asks for a login for {what}, and none is configured. {RegistryErrors.CredentialHint(Registry)}");
            }

            tokens.Set(BasicKey, BasicHeader(credential), TimeSpan.MaxValue);
            return;
        }

        if (!challenge.IsBearer || challenge["realm"] is not { Length: > 0 } realm
            || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new OciException(OciErrorKind.Protocol, Registry,
                $"Registry {Registry} answered 401 to {what} with an authentication challenge this client does not understand ({challenge.Scheme}).");
        }

        if (realmUri.Scheme == Uri.UriSchemeHttp && !RegistryTransport.AllowsPlainHttp(settings, realmUri.Authority))
        {
            throw new OciException(OciErrorKind.InsecureNotAllowed, Registry,
                $"Registry {Registry} sends logins to a token service over plain HTTP ({realm}); list {realmUri.Authority} in Functions:Registries:Insecure if that is trusted.");
        }

        var query = new StringBuilder();
        if (challenge["service"] is { } service)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service));
        }

        foreach (var wanted in new[] { scope, challenge["scope"] }.Distinct().OfType<string>())
        {
            query.Append(query.Length == 0 ? "" : "&").Append("scope=").Append(Uri.EscapeDataString(wanted));
        }

        var tokenUri = new UriBuilder(realmUri) { Query = query.ToString() }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUri);
        if (credential is not null)
        {
            request.Headers.Authorization = BasicHeader(credential);
        }

        using var response = await SendRawAsync(request, cancel).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new OciException(response.StatusCode == HttpStatusCode.Forbidden ? OciErrorKind.Denied : OciErrorKind.Unauthorized, Registry,
                credential is null
                    ? $"Registry {Registry} needs a login for {what}: its token service ({realmUri.GetLeftPart(UriPartial.Path)}) refused anonymous access. {RegistryErrors.CredentialHint(Registry)}"
                    : $"The token service of registry {Registry} ({realmUri.GetLeftPart(UriPartial.Path)}) refused the login '{credential.Username}' ({(int)response.StatusCode} {response.ReasonPhrase}). {RegistryErrors.CredentialHint(Registry)}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await RegistryErrors.FromResponseAsync(response, Registry, $"a token for {what}", cancel).ConfigureAwait(false);
        }

        var body = await ReadBoundedAsync(response, MaxTokenBytes, "token", cancel).ConfigureAwait(false);
        string? token;
        var lifetime = DefaultTokenLifetime;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            token = (root.TryGetProperty("token", out var t) ? t.GetString() : null)
                    ?? (root.TryGetProperty("access_token", out var a) ? a.GetString() : null);
            if (root.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) && seconds > 0)
            {
                lifetime = TimeSpan.FromSeconds(seconds);
            }
        }
        catch (JsonException e)
        {
            throw new OciException(OciErrorKind.Protocol, Registry, $"The token service of registry {Registry} answered with invalid JSON: {e.Message}", e);
        }

        if (string.IsNullOrEmpty(token))
        {
            throw new OciException(OciErrorKind.Protocol, Registry, $"The token service of registry {Registry} answered without a token.");
        }

        // Renew a little before the registry would refuse the token.
        var margin = TimeSpan.FromSeconds(Math.Min(10, lifetime.TotalSeconds / 4));
        tokens.Set(BearerKey, new AuthenticationHeaderValue("Bearer", token), lifetime - margin);
    }

    private static AuthenticationHeaderValue BasicHeader(OciCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));

    /// <summary>Reads a small body (manifest, token), refusing one larger than <paramref name="max"/> bytes.</summary>
    public async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, long max, string what, CancellationToken cancel)
    {
        if (response.Content.Headers.ContentLength > max)
        {
            throw TooLarge(what, max);
        }

        using var buffer = new MemoryStream();
        var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await stream.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    throw TooLarge(what, max);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new OciException(OciErrorKind.Unreachable, Registry, $"Registry {Registry} broke off the {what} download: {e.Message}", e);
        }

        return buffer.ToArray();
    }

    private OciException TooLarge(string what, long max) =>
        new(OciErrorKind.TooLarge, Registry,
            $"The {what} from registry {Registry} is larger than {max} bytes (Functions:Registries:MaxManifestBytes); this is not a Wasm module's manifest.");

    /// <summary>One HTTP exchange; transport failures become <see cref="OciException"/>s that say what to check.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        var url = request.RequestUri!;
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError && url.Scheme == Uri.UriSchemeHttps)
        {
            if (await AnswersPlainHttpAsync(url, cancel).ConfigureAwait(false))
            {
                throw new OciException(OciErrorKind.InsecureNotAllowed, Registry,
                    $"{url.Authority} speaks plain HTTP, not HTTPS, and plain HTTP is not allowed for it. If this registry is trusted, list '{url.Authority}' in Functions:Registries:Insecure (CLI: --insecure); otherwise give it a TLS certificate.", e);
            }

            throw new OciException(OciErrorKind.Unreachable, Registry,
                $"The TLS connection to {url.Authority} failed ({e.InnerException?.Message ?? e.Message}). Check the registry's certificate and that the machine trusts its issuer.", e);
        }
        catch (HttpRequestException e)
        {
            throw new OciException(OciErrorKind.Unreachable, Registry,
                $"Cannot reach {url.GetLeftPart(UriPartial.Authority)} ({e.Message}). Check the registry host and port in the reference, and that the registry is running.", e);
        }
        catch (TaskCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new OciException(OciErrorKind.Unreachable, Registry,
                $"{url.GetLeftPart(UriPartial.Authority)} did not answer in time. Check that the registry is running and reachable from here.", e);
        }
    }

    private async Task<bool> AnswersPlainHttpAsync(Uri url, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(PlainHttpProbeTimeout);
        try
        {
            using var probe = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(url) { Scheme = Uri.UriSchemeHttp, Port = url.Port, Path = "/v2/", Query = "" }.Uri);
            using var response = await http.SendAsync(probe, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }
}
