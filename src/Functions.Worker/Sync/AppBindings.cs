using System.Security.Cryptography;
using System.Text.Json;
using Functions.Contracts;

namespace Functions.Worker.Sync;

/// <summary>Tells whether an app's bindings changed since it was built, without trusting record equality (which
/// compares the environment and volume collections by reference).</summary>
public static class AppBindings
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// A short string equal for equal bindings: the SHA-256 of every field of every binding, in order (the control
    /// plane's order is stable, and a different order only costs a rebuild). Short, so a thousand apps keep little.
    /// </summary>
    public static string Fingerprint(IReadOnlyList<RouteBinding> bindings) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(bindings, Options)));
}
