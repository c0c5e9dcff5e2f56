namespace Functions.Runtime.Execution;

/// <summary>What an invocation runs: a pool, or a one-off run.</summary>
internal interface IInvocationTarget
{
    /// <summary>The function's timeout.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Whether the function's recent runs were short enough to run on the caller's thread.</summary>
    bool MayRunInline { get; }

    /// <summary>Counts a run the scheduler keeps on the caller's thread.</summary>
    void RunsInline();

    /// <summary>
    /// Takes or makes an instance and runs the invocation on it. <paramref name="used"/> is the instance to delete once
    /// the result is published.
    /// </summary>
    InvocationResult Run(Invocation invocation, ThreadScratch scratch, long started, CancellationToken cancellationToken,
        out PreparedInstance? used);

    /// <summary>Gives the admission back; called once per invocation, by its <see cref="InvocationLease"/>.</summary>
    void Release();
}
