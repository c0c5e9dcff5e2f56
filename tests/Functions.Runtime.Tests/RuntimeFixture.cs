using Functions.Testing;

namespace Functions.Runtime.Tests;

/// <summary>One runtime per test class, with its own disk cache folder, removed afterwards.</summary>
public sealed class RuntimeFixture : IDisposable
{
    public RuntimeFixture()
    {
        CacheDirectory = Directory.CreateTempSubdirectory("functions-runtime-tests-").FullName;
        Runtime = new WasmRuntime(new RuntimeOptions { CacheDirectory = CacheDirectory, IdleShrinkAfter = TimeSpan.FromMinutes(10) });
    }

    public WasmRuntime Runtime { get; }

    public string CacheDirectory { get; }

    public CompiledModule Load(string fixture) => Runtime.LoadOrCompile("fixture:" + fixture, Fixtures.Bytes(fixture));

    public FunctionPool Pool(string fixture, FunctionSettings? settings = null) =>
        Runtime.CreatePool(Load(fixture), settings ?? new FunctionSettings { Name = fixture, ReadyInstances = 2 });

    public void Dispose()
    {
        Runtime.Dispose();
        Directory.Delete(CacheDirectory, recursive: true);
    }
}

internal static class Requests
{
    public static Invocation With(params (string Name, string Value)[] environment) =>
        new([.. environment.Select(e => new KeyValuePair<string, string>(e.Name, e.Value))], ["/"], ReadOnlyMemory<byte>.Empty);

    public static string Text(this InvocationResult result) => System.Text.Encoding.UTF8.GetString(result.Stdout.Span);
}
