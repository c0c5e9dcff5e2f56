namespace Functions.Runtime.Execution;

/// <summary>A piece of work for an execution thread, given that thread's scratch state.</summary>
internal interface IExecutionWork
{
    /// <summary>Runs the work. Must not throw: failures are the work's result.</summary>
    void Execute(ThreadScratch scratch);
}
