using System.Diagnostics;
using System.Text;
using Wasmtime;

namespace Functions.Runtime.Execution;

/// <summary>
/// Instantiates modules and runs one invocation on one instance: the request's WASI context, the epoch deadline that
/// enforces both the timeout and the output limit, and the mapping of every ending to an <see cref="InvocationOutcome"/>.
/// </summary>
internal sealed class Invoker(Engine engine, Linker linker, RuntimeOptions options) : IDisposable
{
    private static readonly WasiConfiguration Neutral = new();
    private readonly ThreadLocal<ScratchFiles> _scratch = new(
        () => new ScratchFiles(options.ScratchDirectory ?? Path.GetTempPath()), trackAllValues: true);

    private long TicksFor(TimeSpan timeout) => Math.Max(1, (long)Math.Ceiling(timeout / options.EpochTick) + 1);

    /// <summary>
    /// A store with the function's memory limit and a neutral WASI context (a WASI call on a store without one aborts
    /// the process, and start sections run during instantiation), instantiated under the function's timeout.
    /// </summary>
    public PreparedInstance Instantiate(CompiledModule module, FunctionSettings settings)
    {
        var store = new Store(engine);
        try
        {
            store.SetLimits(memorySize: settings.MemoryLimitBytes);
            store.SetWasiConfiguration(Neutral);
            store.SetEpochDeadline((ulong)TicksFor(settings.Timeout));
            var instance = linker.Instantiate(store, module.Module);
            var entry = instance.GetAction(settings.Entrypoint)
                ?? throw new EntrypointMissingException(module.Digest, settings.Entrypoint, module.Exports);
            return new PreparedInstance(store, entry);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public InvocationResult Run(PreparedInstance prepared, FunctionSettings settings, Invocation invocation)
    {
        var scratch = _scratch.Value!;
        var store = prepared.Store;
        var started = Stopwatch.GetTimestamp();
        var stopReason = InvocationOutcome.Completed;

        var wasi = new WasiConfiguration()
            .WithArgs(invocation.Arguments)
            .WithStandardOutput(scratch.Stdout)
            .WithStandardError(scratch.Stderr);
        foreach (var (name, value) in invocation.Environment)
        {
            wasi.WithEnvironmentVariable(name, value);
        }

        if (!invocation.Stdin.IsEmpty)
        {
            using (var stdin = new FileStream(scratch.Stdin, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1))
            {
                stdin.Write(invocation.Stdin.Span);
            }

            wasi.WithStandardInput(scratch.Stdin);
        }

        foreach (var volume in settings.Volumes)
        {
            wasi.WithPreopenedDirectory(volume.HostPath, volume.GuestPath, volume.Writable);
        }

        store.SetWasiConfiguration(wasi);

        // Called on this thread every epoch tick while the module runs: stop it when it is out of time or has written
        // more than it may. Between ticks a module can overshoot the output limit by what it writes in one tick.
        store.SetEpochDeadlineCallback(_ =>
        {
            if (Stopwatch.GetElapsedTime(started) >= settings.Timeout)
            {
                stopReason = InvocationOutcome.TimedOut;
                throw new TimeoutException();
            }

            if (new FileInfo(scratch.Stdout).Length > settings.MaxOutputBytes)
            {
                stopReason = InvocationOutcome.OutputLimitExceeded;
                throw new InvalidOperationException("output limit");
            }

            return 1;
        });
        store.SetEpochDeadline(1);

        var exitCode = 0;
        string? detail = null;
        var outcome = InvocationOutcome.Completed;
        try
        {
            prepared.Entry();
        }
        catch (WasmtimeException error) when (error.ExitCode is { } code)
        {
            exitCode = code;
            outcome = code == 0 ? InvocationOutcome.Completed : InvocationOutcome.ExitedWithError;
            detail = code == 0 ? null : $"proc_exit({code})";
        }
        catch (TrapException trap)
        {
            outcome = stopReason != InvocationOutcome.Completed ? stopReason : InvocationOutcome.Trapped;
            detail = $"{trap.Type}: {FirstLine(trap.Message)}";
        }
        catch (WasmtimeException error)
        {
            outcome = stopReason != InvocationOutcome.Completed ? stopReason : InvocationOutcome.Trapped;
            detail = FirstLine(error.Message);
        }

        GC.KeepAlive(store);
        var stdout = ReadStdout(scratch.Stdout, settings.MaxOutputBytes, out var tooLong);
        if (tooLong && outcome is InvocationOutcome.Completed or InvocationOutcome.ExitedWithError)
        {
            outcome = InvocationOutcome.OutputLimitExceeded;
        }

        if (outcome == InvocationOutcome.OutputLimitExceeded)
        {
            detail = $"wrote more than the output limit of {settings.MaxOutputBytes} bytes";
            stdout = [];
        }
        else if (outcome == InvocationOutcome.TimedOut)
        {
            detail = $"ran past its timeout of {settings.Timeout.TotalMilliseconds:F0} ms";
        }

        return new InvocationResult(outcome, exitCode, stdout, ReadStderr(scratch.Stderr), detail, Stopwatch.GetElapsedTime(started));
    }

    private static byte[] ReadStdout(string path, long limit, out bool tooLong)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        tooLong = file.Length > limit;
        if (tooLong || file.Length == 0)
        {
            return [];
        }

        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    private List<string> ReadStderr(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length == 0)
        {
            return [];
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        var length = (int)Math.Min(file.Length, options.MaxStderrBytes);
        var bytes = new byte[length];
        file.ReadExactly(bytes);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var result = new List<string>(count + 1);
        for (var i = 0; i < count; i++)
        {
            result.Add(lines[i].TrimEnd('\r'));
        }

        if (file.Length > length)
        {
            result.Add($"[stderr truncated: {file.Length - length} more bytes]");
        }

        return result;
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }

    public void Dispose()
    {
        foreach (var files in _scratch.Values)
        {
            files.Dispose();
        }

        _scratch.Dispose();
    }
}
