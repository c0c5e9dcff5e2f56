using System.Buffers;
using Functions.Testing;

namespace Functions.Runtime.Tests;

/// <summary>Admission taken before the invocation is known (a server's request still uploading), and pools retired under it.</summary>
public sealed class AdmissionTests
{
    [Fact]
    public async Task A_lease_taken_before_its_invocation_counts_against_the_concurrency_limit_until_given_back()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions());
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")), new FunctionSettings { MaxConcurrency = 1 });

        Assert.Equal(Admission.Admitted, pool.TryAdmit(out var lease));
        Assert.Equal(Admission.Busy, pool.TryAdmit(out var refused));
        Assert.Null(refused);
        Assert.Equal(InvocationOutcome.Busy, (await pool.InvokeAsync(Requests.With())).Outcome);

        lease!.Dispose(); // the request went away before its body arrived
        Assert.Equal(0, pool.Stats.InFlight);
        Assert.Equal(InvocationOutcome.Completed, (await pool.InvokeAsync(Requests.With())).Outcome);
    }

    [Fact]
    public async Task A_retired_pool_refuses_new_admissions_runs_the_one_it_holds_and_is_disposed_when_it_ends()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions());
        var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")), new FunctionSettings { ReadyInstances = 4 });
        await pool.InvokeAsync(Requests.With());
        Assert.Equal(Admission.Admitted, pool.TryAdmit(out var lease));

        pool.DisposeWhenIdle();

        Assert.Equal(Admission.Retired, pool.TryAdmit(out _));
        var result = await pool.InvokeAsync(lease!, Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Contains("Hello", result.Text(), StringComparison.OrdinalIgnoreCase);
        await Until(() => runtime.Stats.LiveInstances == 0); // disposed: its ready instances are gone
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.InvokeAsync(Requests.With()));
    }

    [Fact]
    public async Task An_idle_pool_retired_is_disposed_at_once()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions());
        var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")), new FunctionSettings { ReadyInstances = 4 });
        await pool.InvokeAsync(Requests.With());
        await Until(() => pool.Stats.Ready > 0);

        pool.DisposeWhenIdle();

        Assert.Equal(0, runtime.Stats.LiveInstances);
    }

    [Fact]
    public async Task Stdin_in_several_segments_reaches_the_module_whole_and_in_order()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions());
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:echo", Fixtures.Bytes("echo")), new FunctionSettings());
        var parts = new[] { "first,"u8.ToArray(), new byte[70_000], "last"u8.ToArray() };
        Array.Fill(parts[1], (byte)'x');
        var first = new Segment(parts[0], 0);
        var last = first.Append(parts[1]).Append(parts[2]);

        var result = await pool.InvokeAsync(new Invocation([], ["/"], new ReadOnlySequence<byte>(first, 0, last, parts[2].Length)));

        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        var text = result.Text();
        Assert.EndsWith("first," + new string('x', 70_000) + "last", text, StringComparison.Ordinal);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Delay(10);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
