using System.Net;
using Functions.ControlPlane.Tests.Support;

namespace Functions.ControlPlane.Tests.Hosting;

/// <summary>Outside Development, with nothing configured, neither the UI nor the OpenAPI document is served.</summary>
public sealed class SwaggerSwitchTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    [Theory]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/swagger")]
    public async Task Swagger_is_off_by_default_outside_development(string path)
    {
        using var response = await app.Client(null).GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
