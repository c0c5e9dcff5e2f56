namespace Functions.Files;

/// <summary>A downloaded bundle is not the one asked for: its digest differs, or it is not in canonical form.</summary>
public sealed class BundleIntegrityException : Exception
{
    public BundleIntegrityException() { }

    public BundleIntegrityException(string message) : base(message) { }

    public BundleIntegrityException(string message, Exception innerException) : base(message, innerException) { }
}
