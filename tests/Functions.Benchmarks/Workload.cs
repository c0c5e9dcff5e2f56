using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// The request every invocation benchmark sends, as in DESIGN.md's probe: a WAGI-sized environment of 22 variables,
/// argv of the script name, 64 bytes of stdin.
/// </summary>
internal static class Workload
{
    public static readonly KeyValuePair<string, string>[] Environment =
    [
        new("REQUEST_METHOD", "GET"), new("SCRIPT_NAME", "/hello"), new("PATH_INFO", ""), new("QUERY_STRING", "name=bench"),
        new("SERVER_NAME", "localhost"), new("SERVER_PORT", "8080"), new("SERVER_PROTOCOL", "HTTP/1.1"),
        new("SERVER_SOFTWARE", "Functions/1.0"), new("GATEWAY_INTERFACE", "CGI/1.1"), new("REMOTE_ADDR", "127.0.0.1"),
        new("REMOTE_HOST", "127.0.0.1"), new("REMOTE_USER", ""), new("AUTH_TYPE", ""), new("CONTENT_TYPE", "text/plain"),
        new("CONTENT_LENGTH", "64"), new("PATH_TRANSLATED", ""), new("X_MATCHED_ROUTE", "/hello"), new("X_RAW_PATH_INFO", ""),
        new("X_FULL_URL", "http://localhost:8080/hello?name=bench"), new("HTTP_HOST", "localhost:8080"),
        new("HTTP_USER_AGENT", "bench/1.0"), new("HTTP_ACCEPT", "*/*"),
    ];

    public static readonly string[] Arguments = ["/hello"];

    public static readonly byte[] Stdin = [.. Enumerable.Range(0, 64).Select(i => (byte)('a' + (i % 26)))];

    public static Invocation Invocation { get; } = new(Environment, Arguments, Stdin);

    public static byte[] Module(string name) => FixtureFiles.Bytes(name);

    /// <summary>A pool of the fixture <paramref name="module"/>, compiled in <paramref name="runtime"/>, with <paramref name="ready"/> instances kept ready.</summary>
    public static FunctionPool Pool(WasmRuntime runtime, string module, int ready = 16) =>
        runtime.CreatePool(runtime.LoadOrCompile("bench:" + module, Module(module)),
            new FunctionSettings { Name = module, ReadyInstances = ready });

    /// <summary>
    /// <paramref name="count"/> invocations awaited one after another, like a server's request loop; the bytes of
    /// output, so the work cannot be optimised away.
    /// </summary>
    public static async Task<int> AwaitedInvocations(FunctionPool pool, int count)
    {
        var bytes = 0;
        for (var i = 0; i < count; i++)
        {
            bytes += (await pool.InvokeAsync(Invocation)).Stdout.Length;
        }

        return bytes;
    }

    /// <summary>Fails the run loudly when a benchmarked path does not actually succeed (a fast failure is no figure).</summary>
    public static InvocationResult Check(InvocationResult result, string what)
    {
        if (result.Outcome != InvocationOutcome.Completed || result.Stdout.IsEmpty)
        {
            throw new InvalidOperationException($"{what}: expected a completed run with output, got {result.Outcome} ({result.Detail})");
        }

        return result;
    }
}
