using System.Diagnostics;
using System.Text;
using Functions.Runtime.Execution;

namespace Functions.Runtime.Native;

/// <summary>
/// Runs a tiny built-in module through the whole native path (InstancePre, a native store, a WASI context with argv,
/// environment and stdin bytes, the capture of stdout and stderr, the entrypoint call, the exit status, a trap) when the runtime starts.
/// If a Wasmtime package update changed the C ABI this layer relies on, the runtime refuses to start with a message
/// saying so, instead of serving wrong answers or crashing on the first request.
/// </summary>
internal static class NativeSelfTest
{
    private const string Wat = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            ;; read up to 8 bytes of stdin to offset 32; nread at 24
            (i32.store (i32.const 0) (i32.const 32))
            (i32.store (i32.const 4) (i32.const 8))
            (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 24)))
            ;; write what was read to stdout, and its first two bytes to stderr
            (i32.store (i32.const 4) (i32.load (i32.const 24)))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 28)))
            (i32.store (i32.const 4) (i32.const 2))
            (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 28)))
            ;; exit with 10 * argc + envc
            (drop (call $args_sizes_get (i32.const 40) (i32.const 44)))
            (drop (call $environ_sizes_get (i32.const 48) (i32.const 52)))
            (call $proc_exit (i32.add (i32.mul (i32.load (i32.const 40)) (i32.const 10)) (i32.load (i32.const 48)))))
          (func (export "trap") unreachable))
        """;

    public static void Run(WasmRuntime runtime, InstanceFactory factory, TimeSpan epochTick)
    {
        string failure;
        try
        {
            var module = runtime.CompileText("functions-runtime-self-test", Wat);
            using var scratch = new ThreadScratch(1024);
            var exit = RunOnce(module, "_start", factory, scratch, epochTick);
            var trap = RunOnce(module, "trap", factory, scratch, epochTick);
            var stdout = Encoding.UTF8.GetString(exit.Stdout.Span);
            var stderr = Encoding.UTF8.GetString(exit.Stderr.Span);
            if (exit.Outcome == InvocationOutcome.ExitedWithError && exit.ExitCode == 32 && stdout == "ping" && stderr == "pi"
                && trap.Outcome == InvocationOutcome.Trapped && trap.Detail?.Contains("unreachable", StringComparison.OrdinalIgnoreCase) == true)
            {
                return;
            }

            failure = $"expected exit code 32 with stdout 'ping', stderr 'pi' and an 'unreachable' trap; got {exit.Outcome} " +
                      $"{exit.ExitCode} '{stdout}' '{stderr}' ({exit.Detail}) and {trap.Outcome} ({trap.Detail})";
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            failure = $"{error.GetType().Name}: {error.Message}";
        }

        throw new InvalidOperationException(
            "The Wasmtime native self-test failed: this runtime's P/Invoke layer (Native/WasmtimeNative.cs) does not " +
            $"match the native library of the Wasmtime package in use ({WasmRuntime.WasmtimeVersion} expected). Pin the " +
            $"package back or update the declarations from Wasmtime's C headers. Details: {failure}");
    }

    private static InvocationResult RunOnce(CompiledModule module, string entrypoint, InstanceFactory factory, ThreadScratch scratch,
        TimeSpan epochTick)
    {
        var settings = new FunctionSettings { Name = "self-test", Entrypoint = entrypoint, Timeout = TimeSpan.FromSeconds(10) };
        var plan = new FunctionPlan(module, settings, epochTick, settings.Timeout);
        using var prepared = factory.TryCreate(plan) ?? throw new InvalidOperationException("no instance slot for the self-test");
        var invocation = new Invocation([new("A", "1"), new("B", "2")], ["self-test", "x", "y"], "ping"u8.ToArray());
        return Invoker.Run(prepared, plan, invocation, scratch, Stopwatch.GetTimestamp(), poolHit: false, CancellationToken.None);
    }
}
