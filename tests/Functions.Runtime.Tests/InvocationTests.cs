using System.Text;

namespace Functions.Runtime.Tests;

public sealed class InvocationTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    [Fact]
    public async Task A_hello_module_answers_with_headers_and_body()
    {
        using var pool = fixture.Pool("hello-wat");
        var result = await pool.InvokeAsync(Requests.With(("REQUEST_METHOD", "GET")));
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.StartsWith("Content-Type: text/plain", result.Text());
        Assert.Contains("REQUEST_METHOD=GET", result.Text());
    }

    [Fact]
    public async Task The_module_sees_exactly_the_environment_it_is_given_and_nothing_of_the_host()
    {
        Environment.SetEnvironmentVariable("FUNCTIONS_HOST_SECRET", "do-not-leak");
        using var pool = fixture.Pool("hello-c");
        var result = await pool.InvokeAsync(Requests.With(("A", "1"), ("B", "two words"), ("EMPTY", "")));
        var lines = result.Text().Split('\n');
        Assert.Contains("A=1", lines);
        Assert.Contains("B=two words", lines);
        Assert.Contains("EMPTY=", lines);
        Assert.DoesNotContain("do-not-leak", result.Text());
        Assert.DoesNotContain(lines, l => l.StartsWith("PATH=", StringComparison.Ordinal) || l.StartsWith("HOME=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stdin_arrives_byte_for_byte_and_comes_back_from_echo()
    {
        using var pool = fixture.Pool("echo");
        var body = new byte[300_000];
        new Random(7).NextBytes(body);
        var result = await pool.InvokeAsync(new Invocation([], ["/"], body));
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        var text = result.Stdout.Span;
        var blank = text.IndexOf("\n\n"u8);
        Assert.True(blank > 0);
        Assert.True(text[(blank + 2)..].SequenceEqual(body));
    }

    [Fact]
    public async Task Arguments_arrive_in_order()
    {
        using var pool = fixture.Pool("args");
        var result = await pool.InvokeAsync(new Invocation([], ["/path", "a=1", "b c", ""], ReadOnlyMemory<byte>.Empty));
        Assert.Contains("/path\na=1\nb c\n", result.Text());
    }

    [Fact]
    public async Task Every_request_gets_a_fresh_instance_so_no_state_leaks()
    {
        using var pool = fixture.Pool("counter", new FunctionSettings { Name = "counter", ReadyInstances = 3 });
        for (var i = 0; i < 10; i++)
        {
            var result = await pool.InvokeAsync(Requests.With());
            Assert.Contains("global=1 static=1", result.Text());
        }
    }

    [Fact]
    public async Task A_short_answer_after_a_long_one_carries_nothing_of_the_long_one()
    {
        using var pool = fixture.Pool("headers");
        var first = await pool.InvokeAsync(Requests.With(("RAW_OUTPUT", "Content-Type: text/plain\\n\\n" + new string('x', 5000))));
        var second = await pool.InvokeAsync(Requests.With(("RAW_OUTPUT", "Content-Type: text/plain\\n\\nshort")));
        Assert.Equal(5000 + 26, first.Stdout.Length);
        Assert.Equal("Content-Type: text/plain\n\nshort", second.Text());
    }

    [Fact]
    public async Task Stderr_comes_back_as_lines()
    {
        using var pool = fixture.Pool("stderr");
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Equal(3, result.StderrLines.Count);
    }

    [Theory]
    [InlineData("ep1", "ep1")]
    [InlineData("ep2", "ep2")]
    [InlineData("_start", "_start")]
    public async Task A_named_entrypoint_runs_that_export(string entrypoint, string expected)
    {
        using var pool = fixture.Pool("multi", new FunctionSettings { Name = "multi", Entrypoint = entrypoint, ReadyInstances = 1 });
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Contains(expected, result.Text(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_missing_entrypoint_is_refused_when_the_pool_is_made_naming_what_the_module_exports()
    {
        var error = Assert.Throws<EntrypointMissingException>(() =>
            fixture.Pool("noentry", new FunctionSettings { Name = "noentry" }));
        Assert.Contains("'_start'", error.Message);
        Assert.Contains("other", error.Message);
    }

    [Fact]
    public void A_module_with_an_import_the_platform_does_not_provide_fails_at_pool_creation()
    {
        var error = Assert.ThrowsAny<Exception>(() => fixture.Pool("badimport"));
        Assert.Contains("host_secret", error.Message);
    }

    [Fact]
    public async Task Fd_write_to_stdout_takes_every_iovec_refuses_bad_ones_and_other_descriptors_get_wasis_answer()
    {
        using var pool = fixture.Pool("fdwrite");
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        // abcdef: three iovecs in one call; then nwritten = 6, EINVAL past 1 024 iovecs, EFAULT out of memory, EBADF for fd 7.
        Assert.Equal("Content-Type: text/plain\n\nabcdef\n++++\n", result.Text());
    }

    [Fact]
    public async Task A_module_that_calls_wasi_from_its_start_section_is_instantiated_safely()
    {
        using var pool = fixture.Pool("startsection");
        for (var i = 0; i < 3; i++)
        {
            var result = await pool.InvokeAsync(Requests.With());
            Assert.Equal(InvocationOutcome.Completed, result.Outcome);
            Assert.Equal("Content-Type: text/plain\n\nstart section ran\n", result.Text()); // not what instantiation wrote
        }
    }

    [Theory]
    [InlineData("big", "big: 6 record types, checksum 00000008d3fcbc7a")]
    [InlineData("rust-page", "<!DOCTYPE html>")]
    [InlineData("cpu", "iterations=5000000 result=c51ed30c673870ff")]
    public async Task Larger_modules_from_rust_and_c_run_under_the_pooling_allocator(string fixtureName, string expected)
    {
        using var pool = fixture.Pool(fixtureName, new FunctionSettings { Name = fixtureName, ReadyInstances = 1 });
        var result = await pool.InvokeAsync(Requests.With(("QUERY_STRING", "name=Ada")));
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Contains(expected, result.Text(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RunOnce_runs_a_routes_export_without_a_pool()
    {
        var result = await fixture.Runtime.RunOnceAsync(fixture.Load("routes"),
            new FunctionSettings { Entrypoint = "_routes" }, Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Contains("handle_a", Encoding.UTF8.GetString(result.Stdout.Span));
    }
}
