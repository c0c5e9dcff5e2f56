using Functions.Contracts;
using Wasmtime;

namespace Functions.Modules;

/// <summary>
/// Checks that uploaded bytes are a WASI preview1 core module Wasmtime can compile, and reads what it exports and
/// imports. Expected failures are values (<see cref="InspectionError"/>), not exceptions. Thread-safe: the engine
/// is shared, each call compiles its own module.
/// </summary>
public sealed class ModuleInspector : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "\0asm"u8;

    // A plain engine with the runtime's proposals: inspection only needs Wasmtime's verdict and the type information.
    private readonly Engine _engine = NewEngine();

    /// <summary>
    /// Inspects <paramref name="bytes"/>; when <paramref name="compiled"/> is given (the same bytes, already compiled
    /// by a runtime), reads it instead of compiling them again. The runtime's module stays the runtime's.
    /// </summary>
    public InspectionResult Inspect(ReadOnlySpan<byte> bytes, Module? compiled = null)
    {
        if (ClassifyHeader(bytes) is { } headerError)
        {
            return InspectionResult.Failure(headerError);
        }

        if (compiled is not null)
        {
            return Describe(compiled);
        }

        Module module;
        try
        {
            module = Module.FromBytes(_engine, "upload", bytes);
        }
        catch (WasmtimeException e)
        {
            return InspectionResult.Failure(new InspectionError(
                InspectionErrorKind.CompileFailed,
                $"Wasmtime could not compile the module: {e.Message.Trim()}"));
        }

        using (module)
        {
            return Describe(module);
        }
    }

    private static InspectionResult Describe(Module module)
    {
        {
            var functions = module.Exports.OfType<FunctionExport>().ToList();
            var exports = functions.Select(f => f.Name).ToList();
            var entrypoints = functions
                .Where(IsEntrypoint)
                .Select(f => f.Name)
                .ToList();
            var imports = module.Imports
                .Select(i => new ModuleImportInfo(i.ModuleName, i.Name, KindOf(i)))
                .ToList();

            if (entrypoints.Count == 0)
            {
                var what = exports.Count == 0
                    ? "it exports no functions"
                    : $"its exported functions ({string.Join(", ", exports)}) all take parameters or return values";
                return InspectionResult.Failure(new InspectionError(
                    InspectionErrorKind.NoEntrypoint,
                    $"The module has no function usable as an entrypoint: {what}. An entrypoint takes no parameters " +
                    $"and returns nothing, like the '{Entrypoints.Start}' of a WASI command module (build a program " +
                    "with a main function for wasm32-wasip1, not a library/reactor)."));
            }

            return InspectionResult.Success(new ModuleInfo(exports, entrypoints, imports));
        }
    }

    /// <summary>Whether a route can call the function: an entrypoint takes no parameters and returns nothing.</summary>
    public static bool IsEntrypoint(FunctionExport function) => function.Parameters.Count == 0 && function.Results.Count == 0;

    public void Dispose() => _engine.Dispose();

    private static Engine NewEngine()
    {
        using var config = new Config().WithSupportedProposals();
        return new Engine(config);
    }

    /// <summary>
    /// Reads the 8-byte preamble: <c>\0asm</c>, a 16-bit version and a 16-bit layer. Layer 0 version 1 is a core
    /// module; layer 1 is the component model (e.g. version 0x0d), which this platform does not run.
    /// </summary>
    private static InspectionError? ClassifyHeader(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return new InspectionError(InspectionErrorKind.Empty, "The module is empty: send the bytes of a .wasm file.");
        }

        if (bytes.Length < 8 || !bytes[..4].SequenceEqual(Magic))
        {
            return new InspectionError(
                InspectionErrorKind.NotWebAssembly,
                "These bytes are not WebAssembly: a .wasm binary starts with \\0asm and a version. " +
                "Upload the compiled .wasm file (not .wat text, an archive or source code).");
        }

        var version = bytes[4] | (bytes[5] << 8);
        var layer = bytes[6] | (bytes[7] << 8);
        if (layer == 1)
        {
            return new InspectionError(
                InspectionErrorKind.Component,
                $"This is a WebAssembly component (component model, version 0x{version:x2}), not a core module. " +
                "Components are not supported: functions are WASI preview1 core modules. Rebuild for the " +
                "wasm32-wasip1 target (e.g. `cargo build --target wasm32-wasip1`, or clang/wasi-sdk with " +
                "--target=wasm32-wasi) and upload that .wasm without running `wasm-tools component new` on it. " +
                "The core modules inside a component (`wasm-tools component unbundle` extracts them) import the " +
                "component's internals and do not run on their own.");
        }

        if (layer != 0 || version != 1)
        {
            return new InspectionError(
                InspectionErrorKind.NotWebAssembly,
                $"Unsupported WebAssembly binary version {version} (layer {layer}): only core modules of version 1 " +
                "are supported.");
        }

        return null;
    }

    private static string KindOf(Import import) => import switch
    {
        FunctionImport => "function",
        MemoryImport => "memory",
        TableImport => "table",
        GlobalImport => "global",
        _ => "other",
    };
}
