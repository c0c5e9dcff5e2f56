namespace Functions.Oci;

/// <summary>A pull or push that failed; <see cref="Exception.Message"/> says what to fix.</summary>
public sealed class OciException(OciErrorKind kind, string registry, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public OciErrorKind Kind { get; } = kind;

    /// <summary>The registry (<c>host[:port]</c>) spoken to; empty when the reference itself was invalid.</summary>
    public string Registry { get; } = registry;
}
