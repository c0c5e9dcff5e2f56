namespace Functions.Runtime.Tests;

/// <summary>Every way a module can misbehave maps to its outcome, and the process and its other functions carry on.</summary>
[Collection(TimingSensitive.Name)]
public sealed class FailureTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    private static FunctionSettings Settings(string name, int timeoutMs = 30_000, long memoryMb = 128, long maxOutput = 64L << 20) => new()
    {
        Name = name,
        Timeout = TimeSpan.FromMilliseconds(timeoutMs),
        MemoryLimitBytes = memoryMb << 20,
        MaxOutputBytes = maxOutput,
        ReadyInstances = 1,
    };

    [Fact]
    public async Task An_infinite_loop_is_interrupted_at_its_timeout()
    {
        using var pool = fixture.Pool("loop", Settings("loop", timeoutMs: 300));
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.TimedOut, result.Outcome);
        Assert.InRange(result.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_memory_bomb_sees_memory_grow_fail_at_its_limit()
    {
        using var pool = fixture.Pool("memhog", Settings("memhog", memoryMb: 16));
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        var pages = int.Parse(System.Text.RegularExpressions.Regex.Match(result.Text(), @"grew (\d+) pages").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pages * 64L * 1024, 0, 16L << 20);
    }

    [Fact]
    public async Task A_memory_bomb_that_writes_past_what_it_got_traps()
    {
        using var pool = fixture.Pool("memhog-trap", Settings("memhog-trap", memoryMb: 16));
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Trapped, result.Outcome);
    }

    [Theory]
    [InlineData("trap")]
    [InlineData("stackoverflow")]
    public async Task A_trap_is_reported_as_trapped_with_a_detail_for_the_log(string fixtureName)
    {
        using var pool = fixture.Pool(fixtureName, Settings(fixtureName));
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Trapped, result.Outcome);
        Assert.False(string.IsNullOrEmpty(result.Detail));
    }

    [Theory]
    [InlineData("0", InvocationOutcome.Completed, 0)]
    [InlineData("1", InvocationOutcome.ExitedWithError, 1)]
    [InlineData("3", InvocationOutcome.ExitedWithError, 3)]
    [InlineData("125", InvocationOutcome.ExitedWithError, 125)]
    public async Task Proc_exit_codes_come_back_as_outcomes(string code, InvocationOutcome outcome, int exitCode)
    {
        using var pool = fixture.Pool("exit", Settings("exit"));
        var result = await pool.InvokeAsync(Requests.With(("EXIT_CODE", code)));
        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(exitCode, result.ExitCode);
    }

    [Fact]
    public async Task Output_written_before_a_non_zero_exit_is_kept()
    {
        using var pool = fixture.Pool("exit", Settings("exit"));
        var result = await pool.InvokeAsync(Requests.With(("EXIT_CODE", "2"), ("WITH_STATUS", "1")));
        Assert.Equal(InvocationOutcome.ExitedWithError, result.Outcome);
        Assert.Contains("Status:", result.Text());
    }

    [Fact]
    public async Task Output_over_the_limit_is_refused_and_not_held_in_memory()
    {
        using var pool = fixture.Pool("bigoutput", Settings("bigoutput", maxOutput: 1 << 20));
        var result = await pool.InvokeAsync(Requests.With(("BYTES", (64 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(InvocationOutcome.OutputLimitExceeded, result.Outcome);
        Assert.True(result.Stdout.IsEmpty);
    }

    [Fact]
    public async Task Output_just_under_the_limit_is_delivered_whole()
    {
        using var pool = fixture.Pool("bigoutput", Settings("bigoutput", maxOutput: 4 << 20));
        var result = await pool.InvokeAsync(Requests.With(("BYTES", (3 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.True(result.Stdout.Length > 3 << 20);
    }

    [Fact]
    public async Task While_a_function_loops_until_its_timeout_another_keeps_answering()
    {
        using var loop = fixture.Pool("loop", Settings("loop", timeoutMs: 3000));
        using var hello = fixture.Pool("hello-wat", Settings("hello"));
        var looping = Enumerable.Range(0, 4).Select(_ => loop.InvokeAsync(Requests.With()).AsTask()).ToArray();
        await Task.Delay(200);
        for (var i = 0; i < 20; i++)
        {
            var answer = await hello.InvokeAsync(Requests.With()).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            Assert.Equal(InvocationOutcome.Completed, answer.Outcome);
        }

        Assert.False(looping.Any(t => t.IsCompleted), "the loops ended before the hello requests were answered");
        Assert.All(await Task.WhenAll(looping), r => Assert.Equal(InvocationOutcome.TimedOut, r.Outcome));
    }

    [Fact]
    public async Task Past_its_concurrency_limit_a_function_answers_busy_at_once_instead_of_queueing()
    {
        using var spin = fixture.Pool("spin", Settings("spin") with { MaxConcurrency = 2 });
        // Admission is synchronous: both are in flight when InvokeAsync returns. (A delay here made the test depend on
        // the thread pool waking it within 1.5 s while other test classes kept the cores busy.)
        var running = Enumerable.Range(0, 2).Select(_ => spin.InvokeAsync(Requests.With(("SPIN_MS", "1500"))).AsTask()).ToArray();
        var rejected = await spin.InvokeAsync(Requests.With(("SPIN_MS", "1"))).AsTask().WaitAsync(TimeSpan.FromMilliseconds(500));
        Assert.Equal(InvocationOutcome.Busy, rejected.Outcome);
        Assert.False(running.Any(t => t.IsCompleted), "the running invocations ended before the third was answered");
        Assert.All(await Task.WhenAll(running), r => Assert.Equal(InvocationOutcome.Completed, r.Outcome));
        Assert.Equal(1, spin.Stats.BusyRejections);
    }

    [Fact]
    public async Task A_module_writing_gigabytes_is_stopped_at_its_first_write_past_the_limit()
    {
        using var pool = fixture.Pool("bigoutput", Settings("bigoutput", maxOutput: 1 << 20));
        var result = await pool.InvokeAsync(Requests.With(("BYTES", (8L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(InvocationOutcome.OutputLimitExceeded, result.Outcome);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(2), $"stopped only after {result.Elapsed}");

        var next = await pool.InvokeAsync(Requests.With(("BYTES", "10")));
        Assert.Equal(InvocationOutcome.Completed, next.Outcome);
        Assert.EndsWith("\n\nabcdefghij", next.Text());
    }

    [Theory]
    [InlineData(0, InvocationOutcome.Completed)]
    [InlineData(1, InvocationOutcome.OutputLimitExceeded)]
    public async Task The_output_limit_is_exact(int overBy, InvocationOutcome outcome)
    {
        // bigoutput writes a 40-byte header block, then BYTES bytes: a limit of 40 + 5000 fits 5000 and not 5001.
        using var pool = fixture.Pool("bigoutput", Settings("bigoutput", maxOutput: 40 + 5000));
        var result = await pool.InvokeAsync(Requests.With(("BYTES", (5000 + overBy).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(outcome == InvocationOutcome.Completed ? 5040 : 0, result.Stdout.Length);
    }

    [Fact]
    public async Task Stderr_beyond_its_cap_is_dropped_with_a_note_and_the_run_still_completes()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { MaxStderrBytes = 100 });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:stderr", Functions.Testing.Fixtures.Bytes("stderr")), Settings("stderr"));
        var result = await pool.InvokeAsync(Requests.With(("STDERR_LINES", "50")));
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Equal(100, result.Stderr.Length);
        Assert.Equal("stderr line 1 of 50", result.StderrLines[0]);
        Assert.StartsWith("[stderr truncated:", result.StderrLines[^1]);
        Assert.Contains("wrote 50 lines to stderr", result.Text());
    }

    [Theory]
    [InlineData("trap", "unreachable")]
    [InlineData("stackoverflow", "call stack exhausted")]
    [InlineData("memhog-trap", "out of bounds memory access")]
    public async Task A_trap_detail_names_the_trap_for_the_log(string fixtureName, string expected)
    {
        using var pool = fixture.Pool(fixtureName, Settings(fixtureName, memoryMb: 16));
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Contains(expected, result.Detail);
    }

    [Fact]
    public async Task An_exit_status_wasi_cannot_express_is_a_trap()
    {
        using var pool = fixture.Pool("exit", Settings("exit"));
        var result = await pool.InvokeAsync(Requests.With(("EXIT_CODE", "126")));
        Assert.Equal(InvocationOutcome.Trapped, result.Outcome);
        Assert.Contains("exit status", result.Detail);
    }
}
