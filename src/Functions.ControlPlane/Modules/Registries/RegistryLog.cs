namespace Functions.ControlPlane;

/// <summary>The registry pulls' log lines (event ids 2040-2049), beside <c>Log.cs</c>.</summary>
internal static partial class Log
{
    [LoggerMessage(2040, LogLevel.Information,
        "Module pulled from {Reference} (manifest {ManifestDigest}, layer {LayerDigest}, {Size} bytes)")]
    public static partial void ModulePulled(ILogger logger, string reference, string manifestDigest, string layerDigest, long size);

    [LoggerMessage(2041, LogLevel.Warning, "Pull of {Reference} from registry {Registry} refused ({Kind}): {Message}")]
    public static partial void PullFailed(ILogger logger, string reference, string registry, string kind, string message);
}
