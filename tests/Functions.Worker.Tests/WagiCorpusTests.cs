using System.Net;
using Functions.Testing;

namespace Functions.Worker.Tests;

/// <summary>Modules nobody here wrote (deislabs/wagi's test data) answer as WAGI's own tests expect.</summary>
public sealed class WagiCorpusTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    private async Task<string> Module(string name) => await fixture.DigestOfFile(RepoPaths.RequireCorpus("wagi", name));

    [SkippableFact]
    public async Task Hello_answers_with_its_text()
    {
        await fixture.DeployAsync("corpus-hello", new { route = "/corpus/hello", module = await Module("hello.wasm") });
        using var response = await fixture.Worker.GetAsync(new Uri("/corpus/hello", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("hello", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [SkippableTheory]
    [InlineData("_start", "Default entrypoint\n")]
    [InlineData("ep1", "Entrypoint 1\n")]
    [InlineData("ep2", "Entrypoint 2\n")]
    public async Task Multiple_entrypoints_each_answer_their_own_body(string entrypoint, string body)
    {
        await fixture.DeployAsync($"corpus-multi{entrypoint.Replace("_", "", StringComparison.Ordinal)}",
            new { route = $"/corpus/multi/{entrypoint}", module = await Module("multiple-entrypoints.wasm"), entrypoint });
        Assert.Equal(body, await fixture.Worker.GetStringAsync(new Uri($"/corpus/multi/{entrypoint}", UriKind.Relative)));
    }

    [SkippableTheory]
    [InlineData("/wildcardparent", "main entry point", "/wildcardparent", "", "/wildcardparent/...")]
    [InlineData("/wildcardparent/fizz/buzz", "main entry point", "/wildcardparent", "/fizz/buzz", "/wildcardparent/...")]
    [InlineData("/wildcardparent/exact", "/exact handler", "/wildcardparent/exact", "", "/wildcardparent/exact")]
    [InlineData("/wildcardparent/wildcard/fizz/buzz", "/wildcard/... handler", "/wildcardparent/wildcard", "/fizz/buzz", "/wildcardparent/wildcard/...")]
    [InlineData("/exactparent", "main entry point", "/exactparent", "", "/exactparent")]
    [InlineData("/exactparent/exact", "/exact handler", "/exactparent/exact", "", "/exactparent/exact")]
    [InlineData("/exactparent/wildcard/fizz/buzz", "/wildcard/... handler", "/exactparent/wildcard", "/fizz/buzz", "/exactparent/wildcard/...")]
    public async Task Dynamic_routes_from_the_routes_export_are_served_with_wagis_variables(
        string path, string handler, string scriptName, string pathInfo, string matchedRoute)
    {
        var module = await Module("dynamic-routes.wasm");
        await fixture.DeployAsync("corpus-dynamic",
            new { route = "/wildcardparent/...", module },
            new { route = "/exactparent", module });
        var lines = (await fixture.Worker.GetStringAsync(new Uri(path, UriKind.Relative))).Split('\n');
        Assert.Contains(handler, lines[0], StringComparison.Ordinal);
        var env = lines.Skip(1).Where(l => l.Contains(" = ", StringComparison.Ordinal))
            .Select(l => l.Split(" = ", 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1].TrimEnd('\r'));
        Assert.Equal(scriptName, env["SCRIPT_NAME"]);
        Assert.Equal(pathInfo, env["PATH_INFO"]);
        Assert.Equal(pathInfo, env["X_RAW_PATH_INFO"]);
        Assert.Equal(matchedRoute, env["X_MATCHED_ROUTE"]);
    }
}
