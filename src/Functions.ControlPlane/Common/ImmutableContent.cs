using Microsoft.Net.Http.Headers;

namespace Functions.ControlPlane.Common;

/// <summary>Content named by its digest never changes: strong caching headers, and 304 for a matching If-None-Match.</summary>
internal static class ImmutableContent
{
    /// <summary>Sets <c>ETag</c> (the digest) and <c>Cache-Control: immutable</c>; true when the client already has it.</summary>
    public static bool AlreadyCached(HttpContext context, string digest)
    {
        var etag = new EntityTagHeaderValue($"\"{digest}\"");
        context.Response.Headers.ETag = etag.ToString();
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return context.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } ifNoneMatch &&
            ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false));
    }
}
