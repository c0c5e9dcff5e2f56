namespace Functions.Data;

/// <summary>
/// A credential generated on first run when none was configured. Only its SHA-256 is kept: the key itself is
/// printed to the log once and never stored.
/// </summary>
public sealed class BootstrapKey
{
    public required string Name { get; init; }

    public required byte[] Sha256 { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
