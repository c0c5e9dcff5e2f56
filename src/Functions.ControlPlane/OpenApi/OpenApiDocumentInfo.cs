using Microsoft.OpenApi;

namespace Functions.ControlPlane.OpenApi;

/// <summary>
/// What the served document says about where and under which terms the API is offered: its server (the address the
/// document was fetched from, or <see cref="SwaggerUiOptions.ServerUrl"/>), contact and license (the operator's,
/// from <c>Functions:SwaggerUi:*</c>).
/// </summary>
internal static class OpenApiDocumentInfo
{
    public static void Apply(OpenApiDocument document, HttpRequest request, SwaggerUiOptions options)
    {
        // Behind a proxy, the request's scheme and host are the proxy's only when forwarded headers are honoured;
        // an operator who does not do that sets ServerUrl.
        var server = options.ServerUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
        document.Servers = [new OpenApiServer { Url = server.TrimEnd('/'), Description = "This control plane" }];
        document.Info.Contact = new OpenApiContact
        {
            Name = options.ContactName,
            Url = Absolute(options.ContactUrl),
            Email = options.ContactEmail,
        };
        // The project declares no license of its own: unless the operator names one, the license points at this
        // control plane's Swagger UI, where the operator's contact is shown.
        document.Info.License = new OpenApiLicense
        {
            Name = options.LicenseName,
            Url = Absolute(options.LicenseUrl) ?? Absolute($"{server.TrimEnd('/')}/swagger/index.html"),
        };
    }

    private static Uri? Absolute(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;
}
