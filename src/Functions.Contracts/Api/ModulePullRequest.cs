namespace Functions.Contracts.Api;

/// <summary>The body of <c>POST /api/v1/modules/pull</c>: which module to pull from an OCI registry.</summary>
public sealed record ModulePullRequest
{
    /// <summary>
    /// <c>HOST[:PORT]/REPOSITORY[:TAG]</c>, <c>…@sha256:HEX</c> or both, optionally prefixed with <c>oci://</c>.
    /// The registry host is required; no tag and no digest means <c>latest</c>.
    /// </summary>
    /// <example>registry.example.com/team/hello:1.0</example>
    public string? Reference { get; init; }
}
