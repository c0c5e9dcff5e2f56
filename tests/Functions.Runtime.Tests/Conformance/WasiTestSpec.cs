using System.Text.Json;

namespace Functions.Runtime.Tests.Conformance;

/// <summary>
/// What one wasi-testsuite module must show when run: its <c>X.json</c> beside <c>X.wasm</c> in the suite's legacy
/// format, with the suite's defaults for whatever the file leaves out (no file at all means every default).
/// </summary>
internal sealed record WasiTestSpec
{
    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>A directory relative to the module's folder, preopened as the guest's <c>/</c> (wasmtime adapter: <c>--dir root::/</c>).</summary>
    public string? Root { get; init; }

    public int ExitCode { get; init; }

    /// <summary>Exact stdout; the suite's default is nothing at all.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>Exact stderr when the spec gives one; null: not checked (the suite's runner checks only what is given).</summary>
    public string? Stderr { get; init; }

    private static readonly HashSet<string> KnownKeys = ["args", "env", "root", "exit_code", "stdout", "stderr"];

    public static WasiTestSpec For(string wasmPath)
    {
        var jsonPath = Path.ChangeExtension(wasmPath, ".json");
        if (!File.Exists(jsonPath))
        {
            return new WasiTestSpec();
        }

        using var document = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var root = document.RootElement;
        var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => !KnownKeys.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            // A newer suite format (operations, proposals, …) would need a runner of its own: say so instead of half-running it.
            throw new InvalidDataException($"{jsonPath} has keys this runner does not know: {string.Join(", ", unknown)}.");
        }

        return new WasiTestSpec
        {
            Args = root.TryGetProperty("args", out var args) ? [.. args.EnumerateArray().Select(a => a.GetString()!)] : [],
            Env = root.TryGetProperty("env", out var env)
                ? env.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
                : new Dictionary<string, string>(),
            Root = root.TryGetProperty("root", out var dir) && dir.ValueKind == JsonValueKind.String ? dir.GetString() : null,
            ExitCode = root.TryGetProperty("exit_code", out var code) ? code.GetInt32() : 0,
            Stdout = root.TryGetProperty("stdout", out var stdout) && stdout.ValueKind == JsonValueKind.String ? stdout.GetString()! : "",
            Stderr = root.TryGetProperty("stderr", out var stderr) && stderr.ValueKind == JsonValueKind.String ? stderr.GetString() : null,
        };
    }
}
