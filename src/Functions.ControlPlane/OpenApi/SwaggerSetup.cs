using System.Reflection;
using Functions.ControlPlane.Apps;
using Functions.ControlPlane.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Functions.ControlPlane.OpenApi;

/// <summary>Swagger UI at <c>/swagger</c> with the Authorize button for the admin key.</summary>
internal static class SwaggerSetup
{
    /// <summary>The UI and the document, when <see cref="SwaggerUiOptions.Enabled"/> (or, unset, in Development).</summary>
    public static WebApplication UseControlPlaneSwagger(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.SwaggerUi;
        if (!(options.Enabled ?? app.Environment.IsDevelopment()))
        {
            return app;
        }

        app.UseSwagger(swagger => swagger.PreSerializeFilters.Add((document, request) =>
            OpenApiDocumentInfo.Apply(document, request, options)));
        app.UseSwaggerUI(ui =>
        {
            ui.SwaggerEndpoint("/swagger/v1/swagger.json", "Functions control plane v1");
            ui.DocumentTitle = "Functions control plane";
            if (options.PersistAuthorization)
            {
                ui.EnablePersistAuthorization();
            }
        });
        return app;
    }

    public const string SecurityScheme = "Bearer";

    public static IServiceCollection AddControlPlaneSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Functions control plane",
                Version = "v1",
                Description =
                    "Upload WebAssembly (WASI preview1) modules, bind them to HTTP routes as applications, deploy, roll " +
                    "back and watch the rollout to worker nodes. Every call needs `Authorization: Bearer <admin key>`: " +
                    "press Authorize and paste the key. Errors are RFC 7807 problem details that say what to fix.",
            });
            swagger.AddSecurityDefinition(SecurityScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The admin key (FUNCTIONS_ADMIN_KEY, or the one the control plane printed on first start). " +
                    "The worker key reads only /internal/v1.",
            });
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [],
            });
            // The views and requests live in Functions.Contracts (shared with the CLI): their docs and examples too.
            foreach (var assembly in new[] { Assembly.GetExecutingAssembly(), typeof(ModuleView).Assembly })
            {
                var xml = Path.Combine(AppContext.BaseDirectory, $"{assembly.GetName().Name}.xml");
                if (File.Exists(xml))
                {
                    swagger.IncludeXmlComments(xml);
                }
            }

            swagger.OperationFilter<ModuleUploadOperationFilter>();
            swagger.OperationFilter<FileBundleUploadOperationFilter>();
            swagger.OperationFilter<JsonRequestBodyOperationFilter>();
            swagger.OperationFilter<PagingOperationFilter>();
            swagger.SchemaFilter<VolumeRequestSchemaFilter>();
            swagger.DocumentFilter<Logs.LogsTagDocumentFilter>();
            swagger.DocumentFilter<OpenApiTags>(); // last: keeps the descriptions filters before it gave
        });
        return services;
    }
}

/// <summary>A volume is written as a string or as an object: say both.</summary>
internal sealed class VolumeRequestSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type != typeof(VolumeRequest) || schema is not OpenApiSchema target)
        {
            return;
        }

        var asObject = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = target.Properties,
            Required = new HashSet<string> { "path" },
        };
        target.Type = null;
        target.Properties = null;
        target.OneOf =
        [
            new OpenApiSchema { Type = JsonSchemaType.String, Description = "Host directory, read-only." },
            asObject,
        ];
        target.Description = "A host directory (read-only) or {\"path\": \"...\", \"writable\": true}.";
    }
}
