using System.Runtime.InteropServices;

namespace Functions.Worker.Hosting;

/// <summary>
/// Caps glibc's malloc arenas for the worker's process. glibc gives each thread that allocates natively (Wasmtime
/// instantiating and running modules on the runtime's execution threads, Kestrel's and the thread pool's threads)
/// an arena of its own, up to 8 per core, and returns little of their free memory to the system: under steady load
/// the worker's RSS crept up by 13 % in 10 minutes, with or without redeploys and with DATAS on or off, and stayed
/// flat with <c>MALLOC_ARENA_MAX=2</c> (docs/performance.md, "Soak"). This does the same from inside the process, so
/// it holds however the worker is started; an operator's <c>MALLOC_ARENA_MAX</c> wins. Arenas made before the call
/// (the start-up threads') stay: it runs first thing in <c>Main</c>.
/// </summary>
public static partial class MallocArenas
{
    /// <summary>The cap, as <c>MALLOC_ARENA_MAX=2</c>.</summary>
    public const int Max = 2;

    private const int ArenaMaxParameter = -8; // M_ARENA_MAX in glibc's malloc.h

    /// <summary>Applies the cap on Linux with glibc; returns what it did, for the start-up log.</summary>
    public static string Limit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux: malloc arenas left as they are";
        }

        if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 } configured)
        {
            return $"MALLOC_ARENA_MAX={configured} from the environment";
        }

        try
        {
            return MallOpt(ArenaMaxParameter, Max) == 1
                ? $"malloc arenas capped at {Max} (set MALLOC_ARENA_MAX to choose another cap)"
                : "mallopt(M_ARENA_MAX) refused: malloc arenas left as they are";
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return "no glibc mallopt (another C library): malloc arenas left as they are";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Native memory: {MallocArenas}")]
    public static partial void Log(ILogger logger, string mallocArenas);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
