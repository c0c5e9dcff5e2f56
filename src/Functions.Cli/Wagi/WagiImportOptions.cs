namespace Functions.Cli.Wagi;

/// <summary>Choices for reading a WAGI modules.toml.</summary>
internal sealed record WagiImportOptions
{
    /// <summary>What <c>${PROJECT_ROOT}</c> in module references stands for; the toml's folder when null.</summary>
    public string? ProjectRoot { get; init; }

    /// <summary>
    /// Keep volumes as host-path volumes the control plane resolves under its volumes root; by default each volume's
    /// folder is packed into a file bundle that travels with the app.
    /// </summary>
    public bool HostVolumes { get; init; }

    /// <summary>Map host volumes writable, as WAGI did; read-only (the platform's default) otherwise.</summary>
    public bool WritableVolumes { get; init; }
}
