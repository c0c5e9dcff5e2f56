namespace Functions.ControlPlane.OpenApi;

/// <summary>
/// <c>Functions:SwaggerUi</c> (<see cref="Hosting.ControlPlaneOptions.SwaggerUi"/>): whether the control plane serves
/// Swagger UI (<c>/swagger</c>) and its OpenAPI document (<c>/swagger/v1/swagger.json</c>), both anonymous, and whether
/// the UI keeps the pasted key.
/// </summary>
public sealed class SwaggerUiOptions
{
    /// <summary>Serve the UI and the document. Unset: only in the Development environment (deploy/run.sh).</summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// Keep the key pasted into Authorize in the browser's localStorage across reloads (Swagger UI's
    /// persistAuthorization). Off: any script on the origin, or anyone at the browser later, could read it there.
    /// </summary>
    public bool PersistAuthorization { get; set; }

    /// <summary>
    /// The server URL the document names. Unset: the scheme, host and path base the document was requested with,
    /// which is right unless a proxy in front rewrites them without forwarded headers.
    /// </summary>
    public string? ServerUrl { get; set; }

    /// <summary>Who answers questions about this API (the document's <c>info.contact</c>).</summary>
    public string ContactName { get; set; } = "The operator of this Functions control plane";

    public string? ContactUrl { get; set; }

    public string? ContactEmail { get; set; }

    /// <summary>The terms the API is offered under (<c>info.license</c>): the project declares none, so set your platform's.</summary>
    public string LicenseName { get; set; } = "Terms of the operator of this control plane";

    /// <summary>Where the terms are written. Unset: this control plane's Swagger UI page.</summary>
    public string? LicenseUrl { get; set; }
}
