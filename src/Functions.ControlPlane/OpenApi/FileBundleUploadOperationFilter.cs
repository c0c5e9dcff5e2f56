using Functions.ControlPlane.Files;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Functions.ControlPlane.OpenApi;

/// <summary>
/// Describes the bundle upload body, which the handler streams itself: a raw tar or gzip-compressed tar (Swagger UI
/// shows a file picker for each media type).
/// </summary>
internal sealed class FileBundleUploadOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<FileBundleUploadMarker>().Any())
        {
            return;
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The archive as the raw body: a tar, or a gzip-compressed tar (e.g. `tar -czf site.tgz -C site .`).",
            Content = ArchiveUpload.MediaTypes.ToDictionary(
                type => type,
                IOpenApiMediaType (_) => new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                }),
        };
    }
}
