namespace Functions.Cli.Api;

/// <summary>No answer from the control plane at all: refused, unresolvable, timed out or cut off.</summary>
internal sealed class ControlPlaneUnreachableException(Uri url, string reason, Exception? inner = null)
    : Exception($"Cannot reach the control plane at {url}: {reason}.", inner)
{
    public Uri Url { get; } = url;

    public string Reason { get; } = reason;
}
