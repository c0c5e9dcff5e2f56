namespace Functions.Hosting;

/// <summary>
/// How a host names its management URLs, for the start-up errors that say what to fix.
/// </summary>
/// <param name="Key">The configuration key, e.g. <c>Worker:ManagementUrls</c> (its environment variable uses <c>__</c>).</param>
/// <param name="DefaultUrls">The URLs used when the key is unset.</param>
/// <param name="Answers">What answers there, as a clause: <c>/metrics answers</c>.</param>
/// <param name="AskedBy">Who needs a fixed port, e.g. <c>scrapers</c>.</param>
/// <param name="OtherUrls">What the host's other URLs serve, e.g. <c>API</c>.</param>
/// <param name="OwnPort">The fix when they share a port, e.g. <c>give /metrics a port of its own</c>.</param>
public sealed record ManagementSetting(string Key, string DefaultUrls, string Answers, string AskedBy, string OtherUrls, string OwnPort)
{
    public string EnvironmentVariable => Key.Replace(":", "__", StringComparison.Ordinal);
}
