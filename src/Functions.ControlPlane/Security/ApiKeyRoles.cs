namespace Functions.ControlPlane.Security;

/// <summary>The two callers the control plane knows, and the policies that admit them.</summary>
public static class ApiKeyRoles
{
    public const string Scheme = "ApiKey";
    public const string Admin = "admin";
    public const string Worker = "worker";

    /// <summary>Policy of <c>/api/v1</c>: the admin key only.</summary>
    public const string AdminPolicy = "admin";

    /// <summary>Policy of <c>/internal/v1</c>: the worker key, or the admin key (to inspect what workers see).</summary>
    public const string WorkerPolicy = "worker";
}
