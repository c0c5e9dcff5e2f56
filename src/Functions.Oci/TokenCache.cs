using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace Functions.Oci;

/// <summary>Authorization headers per registry and scope, kept until the token expires.</summary>
internal sealed class TokenCache(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (AuthenticationHeaderValue Header, DateTimeOffset Expires)> entries = new(StringComparer.OrdinalIgnoreCase);

    public AuthenticationHeaderValue? Get(string key) =>
        entries.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Header : null;

    public void Set(string key, AuthenticationHeaderValue header, TimeSpan lifetime) =>
        entries[key] = (header, lifetime == TimeSpan.MaxValue ? DateTimeOffset.MaxValue : time.GetUtcNow() + lifetime);

    public void Remove(string key) => entries.TryRemove(key, out _);
}
