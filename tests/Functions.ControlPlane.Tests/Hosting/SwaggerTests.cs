using System.Net;
using System.Text.Json;
using Functions.ControlPlane.Tests.Support;

namespace Functions.ControlPlane.Tests.Hosting;

/// <summary>A control plane outside Development with Swagger UI turned on, as an operator would.</summary>
public sealed class SwaggerApp : ControlPlaneApp
{
    public SwaggerApp() => Settings["Functions:SwaggerUi:Enabled"] = "true";
}

/// <summary>Swagger UI turned on and the key kept in the browser, both by choice.</summary>
public sealed class PersistingSwaggerApp : ControlPlaneApp
{
    public PersistingSwaggerApp()
    {
        Settings["Functions:SwaggerUi:Enabled"] = "true";
        Settings["Functions:SwaggerUi:PersistAuthorization"] = "true";
    }
}

public sealed class SwaggerTests(SwaggerApp app) : IClassFixture<SwaggerApp>
{
    [Fact]
    public async Task Swagger_ui_does_not_keep_the_pasted_key_in_the_browser_unless_asked_to()
    {
        Assert.DoesNotContain("\"persistAuthorization\":true", await UiConfigurationAsync(app), StringComparison.Ordinal);

        await using var persisting = new PersistingSwaggerApp();
        await persisting.InitializeAsync();
        Assert.Contains("\"persistAuthorization\":true", await UiConfigurationAsync(persisting), StringComparison.Ordinal);
    }

    /// <summary>The UI's page and script, where Swagger UI's configuration object is written.</summary>
    internal static async Task<string> UiConfigurationAsync(ControlPlaneApp app)
    {
        using var client = app.Client(null);
        var page = await client.GetStringAsync(new Uri("/swagger/index.html", UriKind.Relative));
        using var script = await client.GetAsync(new Uri("/swagger/index.js", UriKind.Relative));
        return page + (script.IsSuccessStatusCode ? await script.Content.ReadAsStringAsync() : "");
    }

    [Fact]
    public async Task Swagger_ui_is_served_at_swagger()
    {
        using var response = await app.Client(null).GetAsync(new Uri("/swagger/index.html", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_enabled_the_ui_and_the_api_description_need_no_key()
    {
        using var ui = await app.Client(null).GetAsync(new Uri("/swagger/index.html", UriKind.Relative));
        using var document = await app.Client(null).GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (ui.StatusCode, document.StatusCode));
    }

    [Fact]
    public async Task The_list_operations_document_their_integer_paging_parameters()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        foreach (var path in new[] { "/api/v1/apps", "/api/v1/modules", "/api/v1/apps/{name}/releases", "/api/v1/workers" })
        {
            var parameters = paths.GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray()
                .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema").GetProperty("type").GetString());
            Assert.Equal("integer", parameters["pageIndex"]);
            Assert.Equal("integer", parameters["pageSize"]);
        }
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
