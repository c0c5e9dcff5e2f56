namespace Functions.Runtime;

/// <summary>The module has no export by the entrypoint's name that can be called with no arguments.</summary>
public sealed class EntrypointMissingException : InvalidOperationException
{
    public EntrypointMissingException(string digest, string entrypoint, IReadOnlyList<string> exports)
        : this(entrypoint,
            $"Module {digest} does not export '{entrypoint}' as a function with no parameters and no results. " +
            $"It exports: {(exports.Count == 0 ? "no such function" : string.Join(", ", exports))}. " +
            "Name one of those as the entrypoint, or build the module as a WASI command (which exports _start).")
    {
    }

    internal EntrypointMissingException(string entrypoint, string message) : base(message) => Entrypoint = entrypoint;

    public string Entrypoint { get; }
}
