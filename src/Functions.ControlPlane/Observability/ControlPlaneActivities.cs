using System.Diagnostics;

namespace Functions.ControlPlane.Observability;

/// <summary>The control plane's own spans: a release's activation and the publication of the doorbell.</summary>
public static class ControlPlaneActivities
{
    public const string SourceName = "Functions.ControlPlane";

    public static readonly ActivitySource Source = new(SourceName);
}
