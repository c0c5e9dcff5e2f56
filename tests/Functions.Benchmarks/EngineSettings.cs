using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// Named engine configurations the benchmarks compare in one run: the defaults against each knob turned back, so a
/// figure in docs/performance.md always has its alternative measured beside it.
/// </summary>
internal static class EngineSettings
{
    public const string Defaults = "defaults";

    /// <summary>Signal handlers and guard pages instead of explicit bounds checks (a reused slot is re-protected).</summary>
    public const string SignalsBasedTraps = "signals-based-traps";

    /// <summary>Memory and tables given back to the OS with madvise when a slot is reused, not reset by memset.</summary>
    public const string NoKeepResident = "no-keep-resident";

    /// <summary>Both: the engine as configured before these two knobs were measured.</summary>
    public const string Earlier = "signals+no-keep-resident";

    public static readonly string[] All = [Defaults, SignalsBasedTraps, NoKeepResident, Earlier];

    public static RuntimeOptions Options(string name) => name switch
    {
        Defaults => new RuntimeOptions(),
        SignalsBasedTraps => new RuntimeOptions { SignalsBasedTraps = true },
        NoKeepResident => new RuntimeOptions { LinearMemoryKeepResidentBytes = 0, TableKeepResidentBytes = 0 },
        Earlier => new RuntimeOptions { SignalsBasedTraps = true, LinearMemoryKeepResidentBytes = 0, TableKeepResidentBytes = 0 },
        _ => throw new ArgumentException($"unknown engine settings '{name}' (known: {string.Join(", ", All)})", nameof(name)),
    };
}
