using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Functions.ControlPlane.Logs;

/// <summary>Describes the Logs tag in the OpenAPI document.</summary>
internal sealed class LogsTagDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        swaggerDoc.Tags ??= new HashSet<OpenApiTag>();
        if (!swaggerDoc.Tags.Any(t => t.Name == LogsApi.Tag))
        {
            swaggerDoc.Tags.Add(new OpenApiTag { Name = LogsApi.Tag, Description = LogsApi.TagDescription });
        }
    }
}
