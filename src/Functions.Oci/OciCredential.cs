namespace Functions.Oci;

/// <summary>A registry login: sent as Basic credentials, to the registry or to its token service.</summary>
public sealed class OciCredential
{
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";
}
