using Functions.Worker.Hosting;

namespace Functions.Worker.Tests;

public class MallocArenasTests
{
    [SkippableFact]
    public void On_linux_with_glibc_the_worker_caps_malloc_arenas_unless_the_operator_chose_a_cap()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "malloc arenas are glibc's");
        var chosen = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX");

        var outcome = MallocArenas.Limit();

        Assert.Equal(
            chosen is { Length: > 0 } ? $"MALLOC_ARENA_MAX={chosen} from the environment" : $"malloc arenas capped at {MallocArenas.Max} (set MALLOC_ARENA_MAX to choose another cap)",
            outcome);
    }
}
