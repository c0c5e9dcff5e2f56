using System.Buffers;
using System.Diagnostics;
using System.Text;
using Functions.Runtime.Native;

namespace Functions.Runtime.Execution;

/// <summary>
/// Runs one invocation on one prepared instance, through the C API: the request's WASI context (argv, environment,
/// stdin from bytes, volumes), stdout and stderr captured in memory (<see cref="StdioCapture"/>, which also enforces
/// the output limit), the epoch deadline whose callback enforces the timeout and cancellation, and the mapping of
/// every ending to an outcome: the exit status is read from the error without a .NET exception.
/// </summary>
internal static unsafe class Invoker
{
    public static InvocationResult Run(PreparedInstance prepared, FunctionPlan plan, Invocation invocation, ThreadScratch scratch,
        long started, bool poolHit, CancellationToken cancellationToken)
    {
        var settings = plan.Settings;
        var context = prepared.Context;
        if (BuildWasi(plan, invocation, scratch, context) is { } wasiProblem)
        {
            return Finish(InvocationOutcome.Trapped, -1, [], [], [], wasiProblem, started, poolHit);
        }

        var clockBase = Stopwatch.GetTimestamp(); // just after the WASI context was made: its monotonic clock's zero, at most late
        var watch = scratch.Watch;
        watch.Begin(settings.Timeout);
        scratch.Begin(settings.MaxOutputBytes);
        WasmtimeNative.StoreEpochDeadlineCallback(prepared.Store, RunWatch.Callback, watch.Data, 0);
        WasmtimeNative.ContextSetEpochDeadline(context, 1);

        nint error;
        nint trap;
        using (cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static w => ((RunWatch)w!).Cancel(), watch) : default)
        {
            StdioCapture.Enter(scratch);
            PollOneoff.EnterRun(watch, clockBase);
            Outbound.HttpHostFunctions.EnterRun(plan, invocation, watch, cancellationToken);
            try
            {
                error = WasmtimeNative.FuncCall(context, prepared.Entrypoint, 0, 0, 0, 0, out trap);
            }
            finally
            {
                Outbound.HttpHostFunctions.Exit();
                PollOneoff.Exit();
                StdioCapture.Exit();
            }
        }

        GC.KeepAlive(prepared);

        var outcome = InvocationOutcome.Completed;
        var exitCode = 0;
        string? detail = null;
        if (error != 0)
        {
            if (WasmtimeNative.ErrorExitStatus(error, out var status))
            {
                WasmtimeNative.ErrorDelete(error);
                exitCode = status;
                if (status != 0)
                {
                    outcome = InvocationOutcome.ExitedWithError;
                    detail = $"proc_exit({status})";
                }
            }
            else
            {
                outcome = InvocationOutcome.Trapped;
                detail = Describe(WasmtimeNative.TakeErrorMessage(error));
            }
        }
        else if (trap != 0)
        {
            outcome = InvocationOutcome.Trapped;
            detail = Describe(WasmtimeNative.TakeTrapMessage(trap, out _));
        }

        if (outcome == InvocationOutcome.Trapped)
        {
            exitCode = -1;
            switch (watch.Reason)
            {
                case StopReason.TimedOut:
                    outcome = InvocationOutcome.TimedOut;
                    detail = $"ran past its timeout of {settings.Timeout.TotalMilliseconds:F0} ms";
                    break;
                case StopReason.OutputLimitExceeded:
                    outcome = InvocationOutcome.OutputLimitExceeded;
                    break;
            }
        }

        byte[] stdout = [];
        if (outcome == InvocationOutcome.OutputLimitExceeded)
        {
            // The write that would have passed the limit stopped the run: none of the output is answered.
            exitCode = -1;
            detail = $"wrote more than the output limit of {settings.MaxOutputBytes} bytes";
        }
        else
        {
            stdout = scratch.Stdout.ToArray();
        }

        // stderr is for logs: its first bytes are kept, the rest only counted.
        var stderr = scratch.Stderr.ToArray();
        var droppedStderr = scratch.Stderr.Written - stderr.Length;
        scratch.End();
        if (outcome != InvocationOutcome.Completed && watch.Reason == StopReason.Cancelled)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        return Finish(outcome, exitCode, stdout, stderr, Lines(stderr, droppedStderr), detail, started, poolHit);
    }

    private static InvocationResult Finish(InvocationOutcome outcome, int exitCode, byte[] stdout, byte[] stderr,
        IReadOnlyList<string> stderrLines, string? detail, long started, bool poolHit) =>
        new(outcome, exitCode, stdout, stderrLines, detail, Stopwatch.GetElapsedTime(started)) { Stderr = stderr, PoolHit = poolHit };

    /// <summary>Gives the store the request's WASI context; returns a problem to report, or null.</summary>
    private static string? BuildWasi(FunctionPlan plan, Invocation invocation, ThreadScratch scratch, nint context)
    {
        var config = WasmtimeNative.WasiConfigNew();
        var strings = scratch.Strings;
        strings.Clear();
        var arguments = invocation.Arguments;
        var environment = invocation.Environment;
        var argc = arguments.Count;
        var envc = environment.Count;
        for (var i = 0; i < argc; i++)
        {
            strings.Add(arguments[i]);
        }

        for (var i = 0; i < envc; i++)
        {
            strings.Add(environment[i].Key);
        }

        for (var i = 0; i < envc; i++)
        {
            strings.Add(environment[i].Value);
        }

        var pointers = strings.Pointers();
        if (!WasmtimeNative.WasiConfigSetArgv(config, (nuint)argc, pointers)
            || !WasmtimeNative.WasiConfigSetEnv(config, (nuint)envc, pointers + argc, pointers + argc + envc))
        {
            WasmtimeNative.WasiConfigDelete(config);
            return "argv or the environment is not valid UTF-8";
        }

        if (!invocation.Stdin.IsEmpty)
        {
            // One native copy of the (possibly segmented) body; the config takes the vector.
            WasmtimeNative.ByteVec bytes;
            WasmtimeNative.ByteVecNewUninitialized(&bytes, (nuint)invocation.Stdin.Length);
            invocation.Stdin.CopyTo(new Span<byte>(bytes.Data, checked((int)invocation.Stdin.Length)));
            WasmtimeNative.WasiConfigSetStdinBytes(config, &bytes);
        }

        foreach (var (host, guest, writable) in plan.Volumes)
        {
            fixed (byte* hostPath = host)
            fixed (byte* guestPath = guest)
            {
                if (!WasmtimeNative.WasiConfigPreopenDir(config, hostPath, guestPath, writable))
                {
                    WasmtimeNative.WasiConfigDelete(config);
                    return $"the volume {Encoding.UTF8.GetString(guest.AsSpan(0, guest.Length - 1))} could not be opened " +
                           $"(host directory {Encoding.UTF8.GetString(host.AsSpan(0, host.Length - 1))})";
                }
            }
        }

        var error = WasmtimeNative.ContextSetWasi(context, config);
        return error == 0 ? null : WasmtimeNative.TakeErrorMessage(error);
    }

    /// <summary>
    /// A Wasmtime error in one line for the log: the causes (the trap first, e.g. "wasm trap: out of bounds memory
    /// access", then its context) and the innermost frame of the wasm backtrace.
    /// </summary>
    internal static string Describe(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return "trapped";
        }

        var caused = Array.FindIndex(lines, l => l.StartsWith("Caused by", StringComparison.Ordinal));
        if (caused < 0)
        {
            return lines[0];
        }

        var causes = lines[(caused + 1)..].Select(StripNumber).Reverse().ToList();
        var text = causes.Count == 0 ? lines[0] : causes[0] + (causes.Count > 1 ? $" ({string.Join("; ", causes.Skip(1))})" : "");
        var backtrace = Array.FindIndex(lines, l => l.EndsWith("wasm backtrace:", StringComparison.Ordinal));
        return backtrace >= 0 && backtrace + 1 < caused ? $"{text} at {StripNumber(lines[backtrace + 1])}" : text;
    }

    private static string StripNumber(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && line.AsSpan(0, colon).IndexOfAnyExceptInRange('0', '9') < 0 ? line[(colon + 2)..].Trim() : line;
    }

    private static List<string> Lines(byte[] stderr, long dropped)
    {
        var lines = new List<string>();
        if (stderr.Length > 0)
        {
            var text = Encoding.UTF8.GetString(stderr);
            var parts = text.Split('\n');
            var count = parts[^1].Length == 0 ? parts.Length - 1 : parts.Length;
            for (var i = 0; i < count; i++)
            {
                lines.Add(parts[i].TrimEnd('\r'));
            }
        }

        if (dropped > 0)
        {
            lines.Add($"[stderr truncated: {dropped} more bytes]");
        }

        return lines;
    }
}
