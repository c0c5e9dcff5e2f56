using Functions.Testing;

namespace Functions.Runtime.Tests;

/// <summary>
/// Short functions run on the caller's thread once their recent runs proved short; slow ones never do, and a function
/// that turns slow goes back to execution threads.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class InlineRunTests
{
    [Fact]
    public async Task A_function_whose_runs_are_short_runs_on_the_callers_thread_after_a_few_runs()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions());
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")), new FunctionSettings());
        for (var i = 0; i < 200 && pool.Stats.InlineRuns == 0; i++)
        {
            var result = await pool.InvokeAsync(Requests.With());
            Assert.Equal(InvocationOutcome.Completed, result.Outcome);
            Assert.Contains("Hello from WAT", System.Text.Encoding.UTF8.GetString(result.Stdout.Span), StringComparison.Ordinal);
        }

        // 16 short runs earn it (more if this machine was too busy to keep some of them short).
        Assert.True(pool.Stats.InlineRuns > 0, "hello never ran on the caller's thread");
        Assert.True(pool.Stats.Invocations > 16, $"inline after only {pool.Stats.Invocations} runs");
    }

    [Fact]
    public async Task A_function_that_runs_longer_than_the_threshold_never_runs_inline()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { InlineRunThreshold = TimeSpan.FromMilliseconds(5) });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin")), new FunctionSettings());
        for (var i = 0; i < 20; i++)
        {
            var task = pool.InvokeAsync(Requests.With(("SPIN_MS", "10")));
            Assert.False(task.IsCompleted, "a slow function's run must be handed to an execution thread");
            Assert.Equal(InvocationOutcome.Completed, (await task).Outcome);
        }

        Assert.Equal(0, pool.Stats.InlineRuns);
    }

    [Fact]
    public async Task A_short_function_that_turns_slow_goes_back_to_execution_threads()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { InlineRunThreshold = TimeSpan.FromMilliseconds(50) });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin")), new FunctionSettings());
        for (var i = 0; i < 32; i++)
        {
            await pool.InvokeAsync(Requests.With(("SPIN_MS", "0")));
        }

        Assert.True(pool.Stats.InlineRuns > 0, "a function that spins 0 ms should have earned inline runs");

        // Two slow runs take away what the fast ones earned (the first may still run inline: it is not yet known).
        for (var i = 0; i < 2; i++)
        {
            await pool.InvokeAsync(Requests.With(("SPIN_MS", "200")));
        }

        var inline = pool.Stats.InlineRuns;
        await pool.InvokeAsync(Requests.With(("SPIN_MS", "0")));
        Assert.Equal(inline, pool.Stats.InlineRuns); // handed to an execution thread again
    }

    [Fact]
    public async Task With_inline_runs_switched_off_every_run_goes_to_an_execution_thread()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { InlineRuns = 0 });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")), new FunctionSettings());
        for (var i = 0; i < 40; i++)
        {
            await pool.InvokeAsync(Requests.With());
        }

        Assert.Equal(0, pool.Stats.InlineRuns);
    }
}
