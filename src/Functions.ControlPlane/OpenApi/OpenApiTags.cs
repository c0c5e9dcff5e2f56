using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Functions.ControlPlane.OpenApi;

/// <summary>
/// Every tag an endpoint names (<c>.WithTags</c>) with its description, in the document's tag list, sorted. A new tag
/// needs a line here (or a document filter of its own, registered before this one): the OpenAPI lint test fails on a
/// tag without a description.
/// </summary>
internal sealed class OpenApiTags : IDocumentFilter
{
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Apps"] = "Applications: named sets of routes deployed as numbered, immutable releases; deploy, inspect, " +
            "roll back, delete, and watch each worker node apply the current one.",
        ["Modules"] = "WebAssembly (WASI preview1) modules, stored by the SHA-256 digest of their bytes and checked on upload.",
        ["Files"] = "File bundles: folders packed as canonical tars, stored by digest, mounted read-only by routes on every worker.",
        ["Workers"] = "Worker nodes as their heartbeats report them: address, version, applied generation, errors, state.",
        [Logs.LogsApi.Tag] = Logs.LogsApi.TagDescription,
        ["Internal (workers)"] = "What worker nodes call with the worker key: the desired state, module and bundle bytes, " +
            "heartbeats. Not for administrators.",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var used = context.ApiDescriptions
            .SelectMany(api => api.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.ITagsMetadata>())
            .SelectMany(tags => tags.Tags)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var given = (document.Tags ?? new HashSet<OpenApiTag>()).Where(t => t.Name is not null)
            .ToDictionary(t => t.Name!, t => t.Description, StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(used.Select(name => new OpenApiTag
        {
            Name = name,
            Description = given.GetValueOrDefault(name) ?? Descriptions.GetValueOrDefault(name),
        }));
    }
}
