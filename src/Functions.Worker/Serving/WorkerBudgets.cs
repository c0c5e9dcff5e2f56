using Functions.Contracts;
using Functions.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Serving;

/// <summary>
/// The worker's two byte budgets: the memory admitted invocations may hold (<see cref="WorkerOptions.MemoryBudgetBytes"/>)
/// and, within it, what request bodies in flight may (<see cref="WorkerOptions.BodyBudgetBytes"/>). A body's bytes
/// count against both.
/// </summary>
public sealed class WorkerBudgets
{
    public WorkerBudgets(IOptions<WorkerOptions> options)
    {
        var memory = options.Value.MemoryBudgetBytes ?? WorkerMemory.DefaultBudgetBytes();
        Memory = new ByteBudget("Worker:MemoryBudgetBytes", memory);
        Bodies = new ByteBudget("Worker:BodyBudgetBytes", Math.Min(memory, options.Value.BodyBudgetBytes ?? memory / 4));
    }

    public ByteBudget Memory { get; }

    public ByteBudget Bodies { get; }

    /// <summary>Why a route can never be admitted on this worker, naming the limit to lower; null when it fits.</summary>
    public string? WhyNeverFits(string route, RouteLimits limits)
    {
        var footprint = WorkerMemory.Footprint(limits);
        if (footprint > Memory.Capacity)
        {
            return $"{route}: one invocation may hold {footprint} bytes (memoryMb {limits.MemoryMb} MiB + the 64 MiB output cap + " +
                   $"maxBodyBytes {limits.MaxBodyBytes}), more than this worker's {Memory.Setting} ({Memory.Capacity} bytes); " +
                   "lower the route's memoryMb or maxBodyBytes.";
        }

        return limits.MaxBodyBytes > Bodies.Capacity
            ? $"{route}: maxBodyBytes {limits.MaxBodyBytes} is more than this worker's {Bodies.Setting} ({Bodies.Capacity} bytes); lower it."
            : null;
    }
}
