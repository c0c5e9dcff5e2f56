using System.Diagnostics;
using Functions.Testing;

namespace Functions.Runtime.Tests;

/// <summary>Slow functions never starve fast ones; admission control answers Busy instead of queueing.</summary>
[Collection(TimingSensitive.Name)]
public sealed class ConcurrencyTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    [Fact]
    public async Task A_hundred_requests_to_a_five_second_function_get_four_runs_and_ninety_six_busy_answers_while_another_function_keeps_answering()
    {
        using var spin = fixture.Pool("spin", new FunctionSettings { Name = "spin", MaxConcurrency = 4, ReadyInstances = 1 });
        using var hello = fixture.Pool("hello-wat", new FunctionSettings { Name = "hello", ReadyInstances = 2 });

        var started = Stopwatch.GetTimestamp();
        var slow = Enumerable.Range(0, 100)
            .Select(_ => spin.InvokeAsync(Requests.With(("SPIN_MS", "5000"))).AsTask())
            .ToArray();
        var busy = slow.Where(t => t.IsCompleted).ToArray();
        Assert.Equal(96, busy.Length);
        Assert.All(busy, t => Assert.Equal(InvocationOutcome.Busy, t.Result.Outcome));

        // While four runs spin, the other function answers every time, each within a second.
        for (var i = 0; i < 50; i++)
        {
            var answer = await hello.InvokeAsync(Requests.With()).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            Assert.Equal(InvocationOutcome.Completed, answer.Outcome);
        }

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(4.5), "the hello requests waited for the spinning ones");
        Assert.Equal(4, slow.Count(t => !t.IsCompleted));
        var finished = await Task.WhenAll(slow);
        Assert.Equal(4, finished.Count(r => r.Outcome == InvocationOutcome.Completed));
        Assert.Equal(96, spin.Stats.BusyRejections);
        Assert.Equal(0, spin.Stats.InFlight);
    }

    [Fact]
    public async Task With_every_instance_slot_taken_a_further_request_is_busy_not_queued_and_logged_in_the_callers_scope()
    {
        var loggers = new CapturingLoggers();
        using var runtime = new WasmRuntime(new RuntimeOptions { PoolingTotalInstances = 4 }, loggers);
        var module = runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin"));
        using var pool = runtime.CreatePool(module, new FunctionSettings { ReadyInstances = 0, MaxConcurrency = 10 });
        var running = Enumerable.Range(0, 4).Select(_ => pool.InvokeAsync(Requests.With(("SPIN_MS", "1500"))).AsTask()).ToArray();
        await Until(() => runtime.Stats.LiveInstances == 4);

        var tag = new { Route = "/spin", RequestId = "r-42" };
        var refused = await pool.InvokeAsync(Requests.With(("SPIN_MS", "1")) with { RequestId = "r-42", LogTag = tag })
            .AsTask().WaitAsync(TimeSpan.FromMilliseconds(500));
        Assert.Equal(InvocationOutcome.Busy, refused.Outcome);
        Assert.Contains("instance slot", refused.Detail);
        var entry = Assert.Single(loggers.Entries, e => e.EventId == 3105);
        Assert.Contains("r-42", entry.Message);
        Assert.Contains(tag, entry.Scopes);
        Assert.All(await Task.WhenAll(running), r => Assert.Equal(InvocationOutcome.Completed, r.Outcome));
        await Until(() => runtime.Stats.LiveInstances == 0);
    }

    [Fact]
    public async Task Cancelling_a_running_invocation_stops_the_module_within_a_tick()
    {
        using var loop = fixture.Pool("loop", new FunctionSettings { Name = "loop", ReadyInstances = 1 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = Stopwatch.GetTimestamp();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await loop.InvokeAsync(Requests.With(), cancel.Token));
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
        await Until(() => loop.Stats.InFlight == 0);
    }

    [Fact]
    public async Task Execution_threads_grow_with_concurrent_runs_and_retire_when_idle()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions
        {
            ExecutionThreads = 1,
            ExecutionThreadIdleTimeout = TimeSpan.FromMilliseconds(200),
        });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin")),
            new FunctionSettings { ReadyInstances = 0, MaxConcurrency = 8 });
        var runs = Enumerable.Range(0, 8).Select(_ => pool.InvokeAsync(Requests.With(("SPIN_MS", "500"))).AsTask()).ToArray();
        await Until(() => pool.Stats.InFlight == 8);
        Assert.True(runtime.Stats.ExecutionThreads >= 8, $"{runtime.Stats.ExecutionThreads} threads for 8 concurrent runs");
        Assert.All(await Task.WhenAll(runs), r => Assert.Equal(InvocationOutcome.Completed, r.Outcome));
        await Until(() => runtime.Stats.ExecutionThreads == 1);
    }

    [Fact]
    public void The_synchronous_path_runs_on_the_calling_thread_with_the_same_outcomes()
    {
        using var hello = fixture.Pool("hello-wat", new FunctionSettings { Name = "hello", ReadyInstances = 2, MaxConcurrency = 1 });
        var result = hello.Invoke(Requests.With(("REQUEST_METHOD", "POST")));
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Contains("REQUEST_METHOD=POST", result.Text());
        Assert.Equal(0, hello.Stats.InFlight);
    }

    internal static async Task Until(Func<bool> condition, int seconds = 10)
    {
        var deadline = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"the condition did not hold within {seconds} s");
            await Task.Delay(20);
        }
    }
}
