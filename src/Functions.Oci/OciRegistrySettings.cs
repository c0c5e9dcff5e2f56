namespace Functions.Oci;

/// <summary>How the platform speaks to OCI registries: credentials per registry, and which may use plain HTTP.</summary>
public sealed class OciRegistrySettings
{
    /// <summary>Credentials per registry, keyed by <c>host[:port]</c> exactly as references name it.</summary>
    public Dictionary<string, OciCredential> Credentials { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registries (<c>host[:port]</c>, or a bare host for every port) spoken to over plain HTTP.</summary>
    public List<string> Insecure { get; set; } = [];

    /// <summary>Loopback registries (127.0.0.0/8, ::1, localhost) over plain HTTP without listing them in <see cref="Insecure"/>.</summary>
    public bool AllowInsecureLoopback { get; set; }

    /// <summary>The largest manifest or index read; manifests are small JSON documents.</summary>
    public long MaxManifestBytes { get; set; } = 4 * 1024 * 1024;
}
