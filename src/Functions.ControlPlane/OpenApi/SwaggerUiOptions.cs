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
}
