namespace Functions.Runtime;

/// <summary>The module cannot be instantiated here, e.g. it imports something other than WASI preview1.</summary>
public sealed class ModuleLinkException : InvalidOperationException
{
    /// <summary>
    /// The module's start section ran or slept past the instantiation deadline (the route's timeout, at most
    /// <see cref="RuntimeOptions.InstantiationTimeout"/>), rather than trapping.
    /// </summary>
    public bool StartTimedOut { get; init; }

    public ModuleLinkException(string message) : base(message)
    {
    }

    public ModuleLinkException()
    {
    }

    public ModuleLinkException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
