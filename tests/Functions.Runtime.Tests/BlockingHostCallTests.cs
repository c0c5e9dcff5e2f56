using Functions.Testing;
using Wasmtime;

namespace Functions.Runtime.Tests;

/// <summary>
/// A module that sleeps in <c>poll_oneoff</c> (no epoch deadline interrupts a host call) sleeps at most until its
/// run's deadline, or its instantiation's, and then frees its thread and slot; shorter sleeps sleep as WASI's would.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class BlockingHostCallTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    [Fact]
    public async Task A_function_sleeping_sixty_seconds_with_a_one_second_timeout_is_timed_out_and_its_slot_is_free_again()
    {
        using var sleeper = fixture.Pool("spin", new FunctionSettings
        {
            Name = "sleeper", Timeout = TimeSpan.FromSeconds(1), MaxConcurrency = 1, ReadyInstances = 0,
        });
        var live = fixture.Runtime.Stats.LiveInstances;

        var result = await sleeper.InvokeAsync(Requests.With(("SPIN_MS", "60000"), ("SPIN_MODE", "sleep")))
            .AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(InvocationOutcome.TimedOut, result.Outcome);
        // The run itself ended: its concurrency slot is given back before the result is, and its instance goes with it.
        Assert.Equal(0, sleeper.Stats.InFlight);
        await ConcurrencyTests.Until(() => fixture.Runtime.Stats.LiveInstances <= live);
        var next = await sleeper.InvokeAsync(Requests.With(("SPIN_MS", "1"), ("SPIN_MODE", "sleep")));
        Assert.Equal(InvocationOutcome.Completed, next.Outcome);
    }

    [Fact]
    public async Task A_sleep_shorter_than_the_timeout_sleeps_its_whole_length_and_completes()
    {
        using var sleeper = fixture.Pool("spin", new FunctionSettings { Name = "short-sleep", Timeout = TimeSpan.FromSeconds(20) });

        var result = await sleeper.InvokeAsync(Requests.With(("SPIN_MS", "300"), ("SPIN_MODE", "sleep")));

        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        // What the module measured on its own monotonic clock: never less than it asked for.
        var spun = int.Parse(result.Text().Split("spun ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(spun >= 300, result.Text());
    }

    [Fact]
    public async Task Cancelling_a_sleeping_invocation_wakes_it_and_frees_its_slot()
    {
        using var sleeper = fixture.Pool("spin", new FunctionSettings { Name = "cancelled-sleep", Timeout = TimeSpan.FromSeconds(60) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await sleeper.InvokeAsync(Requests.With(("SPIN_MS", "60000"), ("SPIN_MODE", "sleep")), cancel.Token)
                .AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        await ConcurrencyTests.Until(() => sleeper.Stats.InFlight == 0, seconds: 5);
    }

    [Fact]
    public async Task Poll_oneoff_answers_every_case_as_wasmtimes_own_wasi_does()
    {
        using var pool = fixture.Pool("poll");
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Equal(WasmtimesOwnAnswer("poll"), result.Text());

        // Where Wasmtime's own traps, the runtime's answers an errno: EFAULT past the end of memory, EINVAL misaligned.
        var faults = await pool.InvokeAsync(Requests.With(("POLL_FAULTS", "1")));
        Assert.EndsWith("subscriptions-past-memory: errno=21\nmisaligned-subscriptions: errno=28\n", faults.Text(), StringComparison.Ordinal);
        Assert.Equal("""
            Content-Type: text/plain

            none: errno=28
            monotonic-relative: errno=0 nevents=1 7/0/0/0/0 slept
            monotonic-absolute: errno=0 nevents=1 8/0/0/0/0 slept
            realtime-relative: errno=0 nevents=1 9/0/0/0/0 slept
            realtime-absolute: errno=0 nevents=1 10/0/0/0/0 slept
            realtime-past: errno=0 nevents=1 11/0/0/0/0
            two-clocks: errno=0 nevents=1 13/0/0/0/0 slept
            stdin-read: errno=0 nevents=1 15/0/1/1/0
            stdout-stderr-write: errno=0 nevents=2 16/0/2/1/0 17/0/2/1/0
            zero-clock: errno=0 nevents=1 18/0/0/0/0
            stdout-read: errno=8
            stdin-write: errno=8
            closed-fd: errno=8
            cputime-clock: errno=28
            unknown-tag: errno=28
            unknown-flag: errno=28

            """.ReplaceLineEndings("\n"), result.Text());
    }

    [Fact]
    public void A_start_section_that_sleeps_fails_instantiation_at_the_instantiation_deadline_saying_so()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { InstantiationTimeout = TimeSpan.FromMilliseconds(300), PoolingTotalInstances = 8, MaxMemoryMbPerInstance = 128 });
        var module = runtime.LoadOrCompile("sha256:startsleep", Fixtures.Bytes("startsleep"));

        // The route's timeout (30 s) is longer: the runtime's instantiation timeout bounds it. The start section
        // sleeps 10 s; the call returns well before (a failure here says "took 10 s", not a flaky timing).
        var failure = Assert.Throws<ModuleLinkException>(() => runtime.CreatePool(module, new FunctionSettings { Name = "/sleepy" }));

        Assert.True(failure.StartTimedOut, failure.Message);
        Assert.Contains("did not finish within 300 ms", failure.Message, StringComparison.Ordinal);
        Assert.Contains("sleeps too long", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, runtime.Stats.LiveInstances);
    }

    [Fact]
    public void A_start_section_that_loops_fails_instantiation_at_the_instantiation_deadline_saying_so()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { InstantiationTimeout = TimeSpan.FromMilliseconds(300), PoolingTotalInstances = 8, MaxMemoryMbPerInstance = 128 });
        var module = runtime.LoadOrCompile("sha256:startloop", Fixtures.Bytes("startloop"));

        var failure = Assert.Throws<ModuleLinkException>(() => runtime.CreatePool(module, new FunctionSettings { Name = "/loop" }));

        Assert.True(failure.StartTimedOut, failure.Message);
        Assert.Contains("did not finish within 300 ms", failure.Message, StringComparison.Ordinal);
        Assert.Contains("runs too long", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>stdout of the fixture run on a plain engine with Wasmtime's own WASI (its <c>poll_oneoff</c>).</summary>
    private static string WasmtimesOwnAnswer(string fixture)
    {
        var stdout = Path.GetTempFileName();
        try
        {
            using var engine = new Engine();
            using var module = Module.FromBytes(engine, fixture, Fixtures.Bytes(fixture));
            using var linker = new Linker(engine);
            linker.DefineWasi();
            using var store = new Store(engine);
            store.SetWasiConfiguration(new WasiConfiguration().WithStandardOutput(stdout));
            linker.Instantiate(store, module).GetAction("_start")!.Invoke();
            return File.ReadAllText(stdout);
        }
        finally
        {
            File.Delete(stdout);
        }
    }
}
