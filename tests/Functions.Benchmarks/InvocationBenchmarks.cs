using BenchmarkDotNet.Attributes;
using Functions.Runtime;
using Wasmtime;

namespace Functions.Benchmarks;

/// <summary>
/// The cost of one invocation of a hello module, without HTTP: our path (a pool of pre-instantiated instances, the
/// per-request WASI context through the C API, the hand-off to an execution thread and back) against the baseline in
/// the same run: the plain managed API with a fresh Store and instantiation per request and stdio through tmpfs files.
/// </summary>
public class InvocationBenchmarks
{
    private WasmRuntime _runtime = null!;
    private FunctionPool _pool = null!;
    private ManagedFreshStore _baseline = null!;

    [Params("hello-c", "hello-wat")]
    public string Module { get; set; } = "hello-c";

    [GlobalSetup]
    public void Setup()
    {
        var bytes = Workload.Module(Module);
        _runtime = new WasmRuntime(new RuntimeOptions());
        _pool = Workload.Pool(_runtime, Module);
        _baseline = new ManagedFreshStore(bytes);

        // Both paths must give the same answer, or the comparison means nothing.
        var ours = Workload.Check(_pool.InvokeAsync(Workload.Invocation).AsTask().GetAwaiter().GetResult(), "pool");
        var theirs = _baseline.Invoke();
        if (!ours.Stdout.Span.SequenceEqual(theirs))
        {
            throw new InvalidOperationException($"{Module}: the pool and the baseline answered differently");
        }
    }

    /// <summary>Invocations per measured operation: an async caller awaits them one after another, like a server's request loop.</summary>
    private const int Batch = 32;

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "managed API, fresh Store + instantiate, tmpfs stdio")]
    public int FreshStore()
    {
        var bytes = 0;
        for (var i = 0; i < Batch; i++)
        {
            bytes += _baseline.Invoke().Length;
        }

        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "FunctionPool.InvokeAsync (awaited)")]
    public Task<int> Pool() => Workload.AwaitedInvocations(_pool, Batch);

    /// <summary>The same work on the caller's thread, without the hand-off to an execution thread and back.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Description = "FunctionPool.Invoke (caller's thread)")]
    public int PoolOnCallerThread()
    {
        var bytes = 0;
        for (var i = 0; i < Batch; i++)
        {
            bytes += _pool.Invoke(Workload.Invocation).Stdout.Length;
        }

        return bytes;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _runtime.Dispose();
        _baseline.Dispose();
    }
}

/// <summary>
/// The straightforward way to run a WASI command with the managed package: per request a new Store, a
/// WasiConfiguration with argv, environment and stdio files on tmpfs, instantiation through the Linker, the call,
/// <c>proc_exit</c> caught as an exception, stdout read back from its file.
/// </summary>
internal sealed class ManagedFreshStore : IDisposable
{
    private readonly Engine _engine = new();
    private readonly Linker _linker;
    private readonly Module _module;
    private readonly string _folder;
    private readonly string _stdin;
    private readonly string _stdout;
    private readonly string _stderr;
    private readonly (string, string)[] _environment = [.. Workload.Environment.Select(e => (e.Key, e.Value))];

    public ManagedFreshStore(byte[] wasm)
    {
        _linker = new Linker(_engine);
        _linker.DefineWasi();
        _module = Wasmtime.Module.FromBytes(_engine, "baseline", wasm);
        _folder = Directory.CreateDirectory(Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(),
            $"functions-bench-{Environment.ProcessId}")).FullName;
        _stdin = Path.Combine(_folder, "stdin");
        _stdout = Path.Combine(_folder, "stdout");
        _stderr = Path.Combine(_folder, "stderr");
    }

    public byte[] Invoke()
    {
        File.WriteAllBytes(_stdin, Workload.Stdin);
        using var store = new Store(_engine);
        store.SetWasiConfiguration(new WasiConfiguration()
            .WithArgs(Workload.Arguments)
            .WithEnvironmentVariables(_environment)
            .WithStandardInput(_stdin)
            .WithStandardOutput(_stdout)
            .WithStandardError(_stderr));
        var instance = _linker.Instantiate(store, _module);
        try
        {
            instance.GetAction("_start")!();
        }
        catch (WasmtimeException exit) when (exit.ExitCode == 0)
        {
        }

        return File.ReadAllBytes(_stdout);
    }

    public void Dispose()
    {
        _module.Dispose();
        _linker.Dispose();
        _engine.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
