using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Functions.ControlPlane.Tests.Support;
using Xunit.Abstractions;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>
/// What only the workers' engine can tell is checked at deploy, before anything is stored: each problem is a 400
/// whose error sits under the field at fault and says what to fix, and every table and the generation stay as they
/// were. Bodies name fixtures as {name} (see <see cref="DeployCheckApp"/>).
/// </summary>
public sealed class DeployCheckTests(DeployCheckApp app, ITestOutputHelper output) : IClassFixture<DeployCheckApp>
{
    public static TheoryData<string, string, string, string[]> Refused => new()
    {
        // case, body, field at fault, texts its error must contain
        { "an import the workers do not provide", One("/imp", "badimport"), "routes[0].module",
            ["env.host_secret (function)", "wasi_snapshot_preview1", "wasm32-wasip1"] },
        { "a WASI import that preview1 does not define", One("/wasi", "badwasi"), "routes[0].module",
            ["nonexistent_call", "cannot run here", "no worker could run this module"] },
        { "an initial memory above the route's memoryMb", One("/mem", "bigmemory", "\"limits\": {\"memoryMb\": 1}"),
            "routes[0].limits.memoryMb", ["needs 2 MiB", "at least 2", "32 pages"] },
        { "a table past the pooling allocator's elements", One("/table", "bigtable"), "routes[0].module",
            ["100,000 elements", "20,000 per table", "table_elements"] },
        { "more globals than an instance's state holds", One("/globals", "manyglobals"), "routes[0].module",
            ["100,000 globals", "max_core_instance_size", "linear memory"] },
        { "a start section that traps", One("/start", "starttrap"), "routes[0].module",
            ["trapped while it was instantiated", "wasm `unreachable` instruction executed", "Fix its start function"] },
        { "a start section that never ends", One("/loop", "startloop", "\"limits\": {\"timeoutMs\": 200}"), "routes[0].module",
            ["did not finish instantiating", "runs too long", "200 ms deadline"] },
        { "_routes naming an export the module lacks", One("/rm/...", "routesmissing"), "routes[0].module",
            ["'/rm/b' to 'nowhere' (line 2)", "its entrypoints are: _routes, handle_a, _start"] },
        { "_routes that traps", One("/rt/...", "routestrap"), "routes[0].module",
            ["_routes export", "trapped", "cannot be known"] },
        { "_routes declaring a route another app serves", One("/x/...", "routes"), "routes[0].module",
            ["declares '/x/a' (line 1)", "application 'owner' serves it"] },
        { "_routes declaring a route of the same request",
            """{"routes": [{"route": "/own/...", "module": "{routes}"}, {"route": "/own/a", "module": "{hello-wat}"}]}""",
            "routes[0].module", ["declares '/own/a' (line 1)", "routes[1] of this request binds it too"] },
        { "a route another app's _routes declares", One("/dyn/a", "hello-wat"), "routes[0].route",
            ["Route '/dyn/a' is taken", "application 'owner'", "_routes output of its module bound at '/dyn/...'"] },
        { "the same broken module at a second route",
            """{"routes": [{"route": "/first", "module": "{starttrap}"}, {"route": "/second", "module": "{starttrap}"}]}""",
            "routes[1].module", ["trapped while it was instantiated"] },
        { "a memoryMb one invocation of which cannot fit the workers' memory", One("/huge", "hello-wat", "\"limits\": {\"memoryMb\": 1000}"),
            "routes[0].limits.memoryMb", ["memoryMb 1000 MiB", "64 MiB output cap", "1,073,741,824 bytes", "Functions:DeployChecks:WorkerMemoryBytes"] },
        { "a maxBodyBytes that tips one invocation past the workers' memory",
            One("/bulky", "hello-wat", "\"limits\": {\"memoryMb\": 512, \"maxBodyBytes\": 536870912}"),
            "routes[0].limits.maxBodyBytes", ["maxBodyBytes 536,870,912", "Lower limits.maxBodyBytes"] },
        { "a good route beside one that traps at start",
            """{"routes": [{"route": "/fine", "module": "{hello-wat}"}, {"route": "/broken", "module": "{starttrap}"}]}""",
            "routes[1].module", ["trapped while it was instantiated"] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_release_no_worker_could_serve_is_refused_naming_the_field_and_the_fix_and_nothing_is_written(
        string @case, string body, string field, string[] expected)
    {
        var before = await app.SnapshotAsync();
        var name = "app-" + Math.Abs(@case.GetHashCode(StringComparison.Ordinal)).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (status, problem) = await DeployAsync(name, body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{@case}: expected 400, got {(int)status}: {problem}");
        var errors = JsonDocument.Parse(problem).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{@case}: no error for '{field}' in {problem}");
        var text = string.Join(" ", messages.EnumerateArray().Select(m => m.GetString()));
        output.WriteLine($"{field}: {text}");
        foreach (var part in expected)
        {
            Assert.True(text.Contains(part, StringComparison.Ordinal), $"{@case}: '{part}' not in {text}");
        }

        Assert.Equal(before, await app.SnapshotAsync());
        using var get = await app.Admin().GetAsync(new Uri($"/api/v1/apps/{name}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task A_module_whose_initial_memory_fits_the_route_deploys()
    {
        var (status, problem) = await DeployAsync("mem-fits", One("/mem-fits", "bigmemory", "\"limits\": {\"memoryMb\": 2}"));

        Assert.True(status == HttpStatusCode.Created, problem);
    }

    [Fact]
    public async Task A_module_with_routes_that_collide_with_nothing_deploys_and_its_app_may_deploy_it_again()
    {
        var body = """{"routes": [{"route": "/fresh/...", "module": "{routes}"}, {"route": "/fresh-hello", "module": "{hello-wat}"}]}""";

        var (first, problem) = await DeployAsync("fresh", body);
        var (second, again) = await DeployAsync("fresh", body);

        Assert.True(first == HttpStatusCode.Created, problem);
        Assert.True(second == HttpStatusCode.Created, again);
    }

    [Fact]
    public async Task A_start_section_that_never_ends_is_refused_within_the_trial_deadline()
    {
        var clock = Stopwatch.StartNew();

        var (status, _) = await DeployAsync("slow-start", One("/slow", "startloop"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_start_section_blocked_in_a_host_call_is_refused_without_waiting_for_it()
    {
        var clock = Stopwatch.StartNew();

        var (status, problem) = await DeployAsync("sleepy-start", One("/sleepy", "startsleep", "\"limits\": {\"timeoutMs\": 500}"));

        Assert.True(status == HttpStatusCode.BadRequest, problem);
        Assert.Contains("did not finish instantiating", problem, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}; the start section sleeps 10 s");
    }

    [Fact]
    public async Task A_module_that_calls_out_through_wasi_experimental_http_is_accepted_since_the_workers_provide_it()
    {
        var (status, body) = await DeployAsync("outbound-caller",
            One("/outbound-caller", "outbound", "\"allowedHosts\": [\"https://api.example.com\"]"));

        Assert.True(status == HttpStatusCode.Created, $"expected 201, got {(int)status}: {body}");
    }

    private async Task<(HttpStatusCode Status, string Body)> DeployAsync(string name, string body)
    {
        using var content = new StringContent(app.Resolve(body), Encoding.UTF8, "application/json");
        using var response = await app.Admin().PutAsync(new Uri($"/api/v1/apps/{name}", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string One(string route, string module, string? extra = null) =>
        $$"""{"routes": [{"route": "{{route}}", "module": "{{{module}}}"{{(extra is null ? "" : ", " + extra)}}}]}""";
}
