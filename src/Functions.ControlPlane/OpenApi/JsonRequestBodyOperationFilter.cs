using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Functions.ControlPlane.OpenApi;

/// <summary>
/// Names the JSON body of an endpoint that reads its body itself (to report malformed JSON precisely). Unlike
/// <c>Accepts&lt;T&gt;</c> it does not make routing refuse other content types with a bare 415.
/// </summary>
internal sealed record JsonRequestBody(Type Type);

/// <summary>Documents <see cref="JsonRequestBody"/> as the operation's <c>application/json</c> request body.</summary>
internal sealed class JsonRequestBodyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<JsonRequestBody>().FirstOrDefault() is not { } body)
        {
            return;
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType
                {
                    Schema = context.SchemaGenerator.GenerateSchema(body.Type, context.SchemaRepository),
                },
            },
        };
    }
}

internal static class JsonRequestBodyExtensions
{
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new JsonRequestBody(typeof(T)));
}
