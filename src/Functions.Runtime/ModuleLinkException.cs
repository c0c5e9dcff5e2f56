namespace Functions.Runtime;

/// <summary>The module cannot be instantiated here, e.g. it imports something other than WASI preview1.</summary>
public sealed class ModuleLinkException : InvalidOperationException
{
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
