using System.Text.Json;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Hosting;

/// <summary>
/// The OpenAPI document the control plane serves at /swagger/v1/swagger.json, checked by the two linters API tooling
/// uses, at their default rule sets: Redocly's <c>recommended</c> and Spectral's <c>spectral:oas</c>. Any error or
/// warning fails, so an endpoint added without a description, or a tag without one, is caught here.
/// </summary>
public sealed class OpenApiLintTests(SwaggerApp app) : IClassFixture<SwaggerApp>, IDisposable
{
    /// <summary>Pinned: a new linter release may add rules; bump these on purpose.</summary>
    internal static readonly Dictionary<string, string> Linters = new()
    {
        ["@redocly/cli"] = "2.77.0",
        ["@stoplight/spectral-cli"] = "6.16.3",
    };

    private readonly string _scratch = Directory.CreateTempSubdirectory("functions-openapi-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [SkippableFact]
    public async Task Redocly_recommended_rules_find_no_error_and_no_warning_in_the_served_document()
    {
        var tools = await NpmPackages.InstallAsync("openapi-lint", Linters);
        var document = await DocumentAsync();

        var (exit, output, errors) = await NpmPackages.RunSplitAsync(Bin(tools, "redocly"),
            ["lint", document, "--extends=recommended", "--format=json"], _scratch, TimeSpan.FromMinutes(3),
            new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });

        var start = output.IndexOf('{', StringComparison.Ordinal);
        Assert.True(start >= 0, $"redocly printed no JSON (exit code {exit}):\n{output}{errors}");
        using var json = JsonDocument.Parse(output[start..]);
        var totals = json.RootElement.GetProperty("totals");
        var problems = json.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}" +
                $" at {string.Join(", ", p.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString()))}")
            .ToList();
        Assert.True(totals.GetProperty("errors").GetInt32() == 0 && totals.GetProperty("warnings").GetInt32() == 0,
            $"redocly lint found {problems.Count} problem(s):\n{string.Join('\n', problems)}");
    }

    [SkippableFact]
    public async Task Spectral_oas_rules_find_nothing_in_the_served_document()
    {
        var tools = await NpmPackages.InstallAsync("openapi-lint", Linters);
        var document = await DocumentAsync();
        var ruleset = Path.Combine(_scratch, ".spectral.yaml");
        await File.WriteAllTextAsync(ruleset, "extends: [\"spectral:oas\"]\n");

        var (exit, output) = await NpmPackages.RunAsync(Bin(tools, "spectral"),
            ["lint", document, "--ruleset", ruleset, "--format", "json", "--fail-severity", "hint", "--quiet"], _scratch,
            TimeSpan.FromMinutes(3));

        var start = output.IndexOf('[', StringComparison.Ordinal);
        Assert.True(start >= 0, $"spectral printed no JSON (exit code {exit}):\n{output}");
        using var json = JsonDocument.Parse(output[start..(output.LastIndexOf(']') + 1)]);
        var problems = json.RootElement.EnumerateArray()
            .Select(p => $"{p.GetProperty("code").GetString()}: {p.GetProperty("message").GetString()} at " +
                string.Join('.', p.GetProperty("path").EnumerateArray().Select(s => s.ToString())))
            .ToList();
        Assert.True(problems.Count == 0 && exit == 0, $"spectral lint found {problems.Count} problem(s) (exit code {exit}):\n{string.Join('\n', problems)}");
    }

    [Fact]
    public async Task The_document_names_the_server_it_was_fetched_from_and_describes_every_tag()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(await DocumentAsync()));
        var root = document.RootElement;

        Assert.Equal("http://127.0.0.1:5080", root.GetProperty("servers")[0].GetProperty("url").GetString());
        Assert.All(root.GetProperty("tags").EnumerateArray(), tag => Assert.False(
            string.IsNullOrWhiteSpace(tag.TryGetProperty("description", out var d) ? d.GetString() : null), tag.ToString()));
        Assert.Contains(root.GetProperty("tags").EnumerateArray(), tag => tag.GetProperty("name").GetString() == "Apps");
    }

    private async Task<string> DocumentAsync()
    {
        // The document names the server it was fetched from: ask as a user of deploy/run.sh would (127.0.0.1), since
        // Redocly warns about a server at "localhost", the in-process test server's default name.
        using var client = app.Client(null);
        client.BaseAddress = new Uri("http://127.0.0.1:5080/");
        var text = await client.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        var path = Path.Combine(_scratch, "swagger.json");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static string Bin(string tools, string name) => Path.Combine(tools, "node_modules", ".bin", name);
}
