using Wasmtime;

namespace Functions.ControlPlane.Apps.Checks;

/// <summary>
/// Why a module traps while it is instantiated, in Wasmtime's words (e.g. "wasm `unreachable` instruction
/// executed"). The runtime reports such a failure by its first line only, which names no cause; this instantiates
/// the module once more on a plain engine, metered by fuel so that a start function that loops ends too. Runs only
/// after a trial instantiation failed.
/// </summary>
internal static class StartTrapDiagnosis
{
    /// <summary>Instructions the start function may run here (well under a second).</summary>
    private const ulong Fuel = 200_000_000;

    /// <summary>The trap's cause; null when the module instantiates here or fails without trapping.</summary>
    public static string? Explain(byte[] wasm, long memoryLimitBytes)
    {
        try
        {
            using var config = new Config().WithFuelConsumption(true);
            using var engine = new Engine(config);
            using var module = Module.FromBytes(engine, "diagnosis", wasm);
            using var linker = new Linker(engine);
            linker.DefineWasi();
            using var store = new Store(engine);
            // A WASI call on a store without a WASI configuration aborts the process: give it a neutral one.
            store.SetWasiConfiguration(new WasiConfiguration());
            store.SetLimits(memorySize: memoryLimitBytes);
            store.Fuel = Fuel;
            linker.Instantiate(store, module);
            return null;
        }
        catch (TrapException trap)
        {
            return trap.Type == TrapCode.OutOfFuel
                ? "its start function runs without end (it was still running after 200 million instructions)"
                : Cause(trap.Message);
        }
        catch (WasmtimeException)
        {
            return null; // not a trap (an import, a limit): the runtime's own message says it
        }
    }

    /// <summary>The line that says what happened, not the backtrace around it.</summary>
    private static string Cause(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var caused = Array.FindIndex(lines, l => l.StartsWith("Caused by", StringComparison.Ordinal));
        if (caused >= 0 && caused + 1 < lines.Length)
        {
            return lines[caused + 1];
        }

        return lines.FirstOrDefault(l => l.Contains("wasm trap", StringComparison.Ordinal)) ?? lines.FirstOrDefault() ?? message;
    }
}
