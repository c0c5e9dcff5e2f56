using System.Net;
using System.Net.Http.Headers;
using Functions.ControlPlane.Tests.Support;

namespace Functions.ControlPlane.Tests.Security;

public sealed class ApiKeyTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    public static TheoryData<string, string> AdminEndpoints => new()
    {
        { "GET", "/api/v1/modules" },
        { "POST", "/api/v1/modules" },
        { "GET", "/api/v1/modules/sha256:0000000000000000000000000000000000000000000000000000000000000000" },
        { "DELETE", "/api/v1/modules/sha256:0000000000000000000000000000000000000000000000000000000000000000" },
        { "GET", "/api/v1/apps" },
        { "PUT", "/api/v1/apps/some-app" },
        { "GET", "/api/v1/apps/some-app/releases" },
        { "POST", "/api/v1/apps/some-app/rollback" },
        { "DELETE", "/api/v1/apps/some-app" },
        { "GET", "/api/v1/apps/some-app/rollout" },
        { "GET", "/api/v1/workers" },
    };

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task An_admin_call_without_a_key_answers_401_with_a_problem_saying_how_to_authenticate(string method, string path)
    {
        using var response = await app.Client(null).SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Authorization: Bearer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task An_admin_call_with_a_wrong_key_answers_401(string method, string path)
    {
        using var response = await app.Client("not-the-key-0123456789").SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task An_admin_call_with_the_worker_key_answers_403(string method, string path)
    {
        using var response = await app.Worker().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("worker key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData("Bearer")]
    [InlineData("test-admin-key-0123456789abcdef")]
    public async Task A_malformed_authorization_header_answers_401(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/apps");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await app.Client(null).SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/internal/v1/desired-state")]
    [InlineData("/api/v1/apps")]
    public async Task The_admin_key_reads_both_surfaces(string path)
    {
        using var response = await app.Admin().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_worker_key_reads_the_internal_surface()
    {
        using var response = await app.Worker().GetAsync(new Uri("/internal/v1/desired-state", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_internal_surface_without_a_key_answers_401()
    {
        using var response = await app.Client(null).GetAsync(new Uri("/internal/v1/desired-state", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_needs_no_key(string path)
    {
        using var response = await app.Client(null).GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_bearer_scheme_name_is_case_insensitive()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/apps");
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", ControlPlaneApp.AdminKey);

        using var response = await app.Client(null).SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
