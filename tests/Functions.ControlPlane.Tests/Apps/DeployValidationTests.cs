using System.Net;
using System.Text;
using Functions.ControlPlane.Tests.Support;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>
/// Every way a deploy can be wrong: each answers ProblemDetails saying what to fix, and leaves every table (and
/// the generation) exactly as it was. Bodies name modules as {hello}, {noentry} (exports only 'other') and
/// {runadd} (exports 'run' and 'add(i32, i32)').
/// </summary>
public sealed class DeployValidationTests(ValidationApp app) : IClassFixture<ValidationApp>
{
    private const string Json = "application/json";

    public static TheoryData<string, string, string, string, int, string> Cases => new()
    {
        // case, app, content type, body, status, text the problem must contain
        { "upper-case app name", "Hello", Json, Route("/a"), 400, "lowercase" },
        { "app name with underscore", "my_app", Json, Route("/a"), 400, "DNS label" },
        { "app name starting with '-'", "-app", Json, Route("/a"), 400, "starting and ending" },
        { "app name of 64 characters", new string('a', 64), Json, Route("/a"), 400, "1–63" },
        { "body that is not JSON", "bad-json", Json, "{routes: nope", 400, "not valid JSON" },
        { "body sent as text/plain", "text-body", "text/plain", Route("/a"), 415, "application/json" },
        { "no routes field", "no-routes", Json, "{}", 400, "at least one route" },
        { "empty route list", "empty-routes", Json, """{"routes": []}""", 400, "at least one route" },
        { "routes as an object", "routes-object", Json, """{"routes": {}}""", 400, "$.routes" },
        { "route missing", "no-route", Json, """{"routes": [{"module": "{hello}"}]}""", 400, "routes[0].route" },
        { "route without leading slash", "no-slash", Json, Route("hello"), 400, "must start with '/'" },
        { "route with an empty segment", "double-slash", Json, Route("/a//b"), 400, "'//'" },
        { "wildcard not at the end", "mid-wildcard", Json, Route("/a/.../b"), 400, "last segment" },
        { "route of 1025 characters", "long-route", Json, Route("/" + new string('r', 1024)), 400, "1024" },
        { "same route twice in one app", "twice", Json, """{"routes": [{"route": "/x", "module": "{hello}"}, {"route": "/x", "module": "{hello}"}]}""", 400, "routes[1].route" },
        { "module missing", "no-module", Json, """{"routes": [{"route": "/a"}]}""", 400, "routes[0].module" },
        { "module that is not a digest", "bad-digest", Json, """{"routes": [{"route": "/a", "module": "sha256:xyz"}]}""", 400, "64 hex digits" },
        { "module never uploaded", "unknown-module", Json, """{"routes": [{"route": "/a", "module": "sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}""", 400, "upload it first" },
        { "entrypoint not exported", "bad-entry", Json, """{"routes": [{"route": "/a", "module": "{hello}", "entrypoint": "nope"}]}""", 400, "does not export a function 'nope'" },
        { "default _start missing", "no-start", Json, """{"routes": [{"route": "/a", "module": "{noentry}"}]}""", 400, "entrypoints are: other" },
        { "entrypoint with parameters", "add-entry", Json, """{"routes": [{"route": "/a", "module": "{runadd}", "entrypoint": "add"}]}""", 400, "takes parameters" },
        { "environment name with '='", "env-eq", Json, """{"routes": [{"route": "/a", "module": "{hello}", "environment": {"A=B": "x"}}]}""", 400, "not a valid variable name" },
        { "empty environment name", "env-empty", Json, """{"routes": [{"route": "/a", "module": "{hello}", "environment": {"": "x"}}]}""", 400, "not a valid variable name" },
        { "argv template too long", "long-argv", Json, $$"""{"routes": [{"route": "/a", "module": "{hello}", "argv": "{{new string('a', 4097)}}"}]}""", 400, "routes[0].argv" },
        { "volume at an absolute host path outside the root", "vol-abs", Json, Volume("/data", "\"/etc\""), 400, "outside the volumes root" },
        { "volume escaping with '..'", "vol-dotdot", Json, Volume("/data", "\"site/../../../etc\""), 400, "outside the volumes root" },
        { "volume through a symlink leading out", "vol-link", Json, Volume("/data", "\"escape\""), 400, "outside the volumes root" },
        { "volume on a file", "vol-file", Json, Volume("/data", "\"file.txt\""), 400, "is a file" },
        { "relative guest path", "vol-guest", Json, Volume("data", "\"site\""), 400, "must be absolute" },
        { "guest path with '..'", "vol-guest-dots", Json, Volume("/data/../etc", "\"site\""), 400, "must be absolute" },
        { "volume without a host path", "vol-empty", Json, Volume("/data", "{\"writable\": true}"), 400, "Give the host directory" },
        { "volume object with an unknown field", "vol-field", Json, Volume("/data", "{\"path\": \"site\", \"mode\": \"rw\"}"), 400, "'mode' is not known" },
        { "timeout of 0 ms", "timeout-0", Json, Limits("\"timeoutMs\": 0"), 400, "routes[0].limits.timeoutMs" },
        { "timeout over 15 minutes", "timeout-max", Json, Limits("\"timeoutMs\": 900001"), 400, "900000" },
        { "memory of 0 MB", "memory-0", Json, Limits("\"memoryMb\": 0"), 400, "routes[0].limits.memoryMb" },
        { "memory over 4096 MB", "memory-max", Json, Limits("\"memoryMb\": 4097"), 400, "4096" },
        { "negative body limit", "body-neg", Json, Limits("\"maxBodyBytes\": -1"), 400, "routes[0].limits.maxBodyBytes" },
        { "body limit over 1 GiB", "body-max", Json, Limits("\"maxBodyBytes\": 1073741825"), 400, "1 GiB" },
        { "concurrency of 0", "conc-0", Json, Limits("\"maxConcurrency\": 0"), 400, "routes[0].limits.maxConcurrency" },
        { "concurrency over 10000", "conc-max", Json, Limits("\"maxConcurrency\": 10001"), 400, "10000" },
        { "limit given as a string", "limit-string", Json, Limits("\"timeoutMs\": \"fast\""), 400, "timeoutMs" },
        { "allowed host without a scheme", "out-scheme", Json, Hosts("\"api.example.com\""), 400, "write https://api.example.com" },
        { "allowed host over ftp", "out-ftp", Json, Hosts("\"ftp://files.example.com\""), 400, "only http and https" },
        { "allowed host with a path", "out-path", Json, Hosts("\"https://ok.example.com\", \"https://api.example.com/v1\""), 400, "routes[0].allowedHosts[1]" },
        { "allowed host with a query", "out-query", Json, Hosts("\"https://api.example.com?x=1\""), 400, "no query" },
        { "allowed host with a user", "out-user", Json, Hosts("\"https://me:secret@api.example.com\""), 400, "no user name or password" },
        { "allowed host with a wildcard", "out-wild", Json, Hosts("\"https://*.example.com\""), 400, "wildcards are not supported" },
        { "allowed host with port 0", "out-port", Json, Hosts("\"http://api.example.com:0\""), 400, "optional port (1-65535)" },
        { "allowed host that is empty", "out-empty", Json, Hosts("\"\""), 400, "routes[0].allowedHosts[0]" },
        { "allowed hosts over the cap", "out-many", Json, Hosts(string.Join(", ", Enumerable.Range(0, 101).Select(i => $"\"https://h{i}.example.com\""))), 400, "at most 100 origins" },
        { "allowed hosts as a string", "out-string", Json, """{"routes": [{"route": "/a", "module": "{hello}", "allowedHosts": "https://api.example.com"}]}""", 400, "allowedHosts" },
        { "outbound concurrency of 0", "out-conc-0", Json, """{"routes": [{"route": "/a", "module": "{hello}", "maxOutboundConcurrency": 0}]}""", 400, "routes[0].maxOutboundConcurrency" },
        { "outbound concurrency over 1000", "out-conc-max", Json, """{"routes": [{"route": "/a", "module": "{hello}", "maxOutboundConcurrency": 1001}]}""", 400, "between 1 and 1000" },
        { "route another active app serves", "thief", Json, Route("/taken"), 409, "Route '/taken' is served by application 'owner'" },
        { "one bad route among good ones", "mixed", Json, """{"routes": [{"route": "/ok", "module": "{hello}"}, {"route": "/bad", "module": "{hello}", "limits": {"memoryMb": 0}}]}""", 400, "routes[1].limits.memoryMb" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_invalid_deploy_answers_a_problem_saying_what_to_fix_and_writes_nothing(
        string @case, string appName, string contentType, string body, int status, string expected)
    {
        var before = await app.SnapshotAsync();
        using var content = new StringContent(
            body.Replace("{hello}", app.Hello, StringComparison.Ordinal)
                .Replace("{noentry}", app.NoEntry, StringComparison.Ordinal)
                .Replace("{runadd}", app.RunAndAdd, StringComparison.Ordinal),
            Encoding.UTF8,
            contentType);

        using var response = await app.Admin().PutAsync(new Uri($"/api/v1/apps/{appName}", UriKind.Relative), content);
        var problem = await response.Content.ReadAsStringAsync();

        Assert.True(status == (int)response.StatusCode, $"{@case}: expected {status}, got {(int)response.StatusCode}: {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.Contains(expected, StringComparison.Ordinal), $"{@case}: '{expected}' not in {problem}");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    public static TheoryData<string, byte[], string, int, string> Uploads => new()
    {
        { "empty body", [], "application/wasm", 400, "empty" },
        { "text instead of wasm", "(module (func))"u8.ToArray(), "application/wasm", 400, "not WebAssembly" },
        { "a component", Testing.Fixtures.Bytes("component"), "application/wasm", 400, "Components are not supported" },
        { "a module that does not compile", TestModules.Truncated, "application/wasm", 400, "Wasmtime could not compile" },
        { "a module without an entrypoint", TestModules.Empty, "application/wasm", 400, "no function usable as an entrypoint" },
        { "an entrypoint with a signature", Testing.Fixtures.Bytes("badstart"), "application/wasm", 400, "no function usable as an entrypoint" },
        { "over the size limit", new byte[ValidationApp.MaxModuleBytes + 1], "application/wasm", 413, "Functions:MaxModuleBytes" },
        { "a form without the file field", "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n"u8.ToArray(), "multipart/form-data; boundary=b", 400, "'file'" },
    };

    [Theory]
    [MemberData(nameof(Uploads))]
    public async Task An_invalid_upload_answers_a_problem_saying_what_to_fix_and_stores_nothing(
        string @case, byte[] bytes, string contentType, int status, string expected)
    {
        var before = await app.SnapshotAsync();
        using var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await app.Admin().PostAsync(new Uri("/api/v1/modules", UriKind.Relative), content);
        var problem = await response.Content.ReadAsStringAsync();

        Assert.True(status == (int)response.StatusCode, $"{@case}: expected {status}, got {(int)response.StatusCode}: {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.Contains(expected, StringComparison.Ordinal), $"{@case}: '{expected}' not in {problem}");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Every_problem_of_a_request_is_reported_at_once()
    {
        using var response = await app.Admin().PutAsync(
            new Uri("/api/v1/apps/many-problems", UriKind.Relative),
            new StringContent("""{"routes": [{"route": "nope", "module": "x", "limits": {"timeoutMs": 0, "memoryMb": 0}}]}""", Encoding.UTF8, Json));
        var problem = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        foreach (var field in new[] { "routes[0].route", "routes[0].module", "routes[0].limits.timeoutMs", "routes[0].limits.memoryMb" })
        {
            Assert.Contains(field, problem, StringComparison.Ordinal);
        }
    }

    private static string Route(string route) => $$"""{"routes": [{"route": "{{route}}", "module": "{hello}"}]}""";

    private static string Volume(string guest, string host) =>
        "{\"routes\": [{\"route\": \"/v\", \"module\": \"{hello}\", \"volumes\": {\"" + guest + "\": " + host + "}}]}";

    private static string Limits(string limits) =>
        "{\"routes\": [{\"route\": \"/l\", \"module\": \"{hello}\", \"limits\": {" + limits + "}}]}";

    private static string Hosts(string hosts) =>
        "{\"routes\": [{\"route\": \"/o\", \"module\": \"{hello}\", \"allowedHosts\": [" + hosts + "]}]}";
}
