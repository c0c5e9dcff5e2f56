using Functions.ControlPlane.Modules;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Functions.ControlPlane.OpenApi;

/// <summary>
/// Describes the upload body, which the handler reads itself so that one endpoint takes both a raw
/// <c>application/wasm</c> body and a multipart form with a <c>file</c> field (Swagger UI shows a file picker).
/// </summary>
internal sealed class ModuleUploadOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ModuleUploadMarker>().Any())
        {
            return;
        }

        var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The .wasm module: a file field named `file`, or the raw bytes.",
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["multipart/form-data"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { ModuleUploadReader.FormField },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            [ModuleUploadReader.FormField] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.String,
                                Format = "binary",
                                Description = "A WASI preview1 core module (.wasm)",
                            },
                        },
                    },
                },
                [ModuleContent.MediaType] = new OpenApiMediaType { Schema = binary },
                ["application/octet-stream"] = new OpenApiMediaType { Schema = binary },
            },
        };
    }
}
