using System.Net;
using System.Text.Json;
using Functions.ControlPlane.Tests.Support;

namespace Functions.ControlPlane.Tests.Hosting;

public sealed class SwaggerTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    [Fact]
    public async Task Swagger_ui_is_served_at_swagger()
    {
        using var response = await app.Client(null).GetAsync(new Uri("/swagger/index.html", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_api_operation_has_a_summary_and_problem_details_error_responses()
    {
        var document = await DocumentAsync();
        var operations = Operations(document).ToList();

        Assert.True(operations.Count >= 17, $"only {operations.Count} operations documented");
        foreach (var (name, operation) in operations)
        {
            Assert.True(operation.TryGetProperty("summary", out var summary) && summary.GetString()!.Length > 0, $"{name} has no summary");
            var errors = operation.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('4')).ToList();
            Assert.True(errors.Count > 0, $"{name} documents no error response");
            Assert.All(errors, e => Assert.True(
                e.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{name} {e.Name} is not problem+json"));
        }
    }

    [Fact]
    public async Task The_upload_operation_offers_a_multipart_file_field_and_raw_wasm()
    {
        var content = (await DocumentAsync()).GetProperty("paths").GetProperty("/api/v1/modules").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content");

        var file = content.GetProperty("multipart/form-data").GetProperty("schema").GetProperty("properties").GetProperty("file");
        Assert.Equal("binary", file.GetProperty("format").GetString());
        Assert.True(content.TryGetProperty("application/wasm", out _));
    }

    [Fact]
    public async Task The_deploy_operation_documents_its_json_body_with_examples()
    {
        var document = await DocumentAsync();
        var body = document.GetProperty("paths").GetProperty("/api/v1/apps/{name}").GetProperty("put")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var route = document.GetProperty("components").GetProperty("schemas").GetProperty("RouteRequest");

        Assert.EndsWith("DeployRequest", body.GetProperty("$ref").GetString(), StringComparison.Ordinal);
        Assert.Equal("/hello/...", route.GetProperty("properties").GetProperty("route").GetProperty("example").GetString());
    }

    [Fact]
    public async Task The_deploy_operation_says_which_releases_the_workers_engine_refuses_before_storing_them()
    {
        var description = (await DocumentAsync()).GetProperty("paths").GetProperty("/api/v1/apps/{name}").GetProperty("put")
            .GetProperty("description").GetString()!;

        foreach (var part in new[] { "WASI preview1", "memoryMb", "pooling limits", "traps while instantiating", "_routes", "400" })
        {
            Assert.Contains(part, description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_document_declares_the_bearer_scheme_so_the_authorize_button_works()
    {
        var document = await DocumentAsync();

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.True(document.GetProperty("security")[0].TryGetProperty("Bearer", out _));
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await app.Client(null).GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        select ($"{operation.Name.ToUpperInvariant()} {path.Name}", operation.Value);
}
