using Functions.ControlPlane.Common;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Functions.ControlPlane.OpenApi;

/// <summary>Documents the two integer query parameters of an endpoint that takes a <see cref="PageRequest"/>.</summary>
internal sealed class PagingOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.MethodInfo?.GetParameters().Any(p => p.ParameterType == typeof(PageRequest)) != true)
        {
            return;
        }

        operation.Parameters ??= [];
        operation.Parameters.Add(Parameter("pageIndex", "Zero-based page number.", 0, 0, null));
        operation.Parameters.Add(Parameter(
            "pageSize", $"Items per page, 1–{PageRequest.MaxPageSize}.", PageRequest.DefaultPageSize, 1, PageRequest.MaxPageSize));
    }

    private static OpenApiParameter Parameter(string name, string description, int @default, int minimum, int? maximum) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int32",
            Default = System.Text.Json.Nodes.JsonValue.Create(@default),
            Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}
