namespace Functions.Runtime.Outbound;

/// <summary>
/// The operator's limits on every outbound call a function makes through <c>wasi_experimental_http</c> (the worker binds
/// them from <c>Worker:Outbound</c>). Which origins a function may call is the route's (<see cref="OutboundHttpSettings"/>).
/// </summary>
public sealed class OutboundHttpOptions
{
    /// <summary>A response body larger than this is not handed to the module: <c>req</c> answers error 11 (request error).</summary>
    public long MaxResponseBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>One call's limit (redirects and the wait for a concurrency slot included), always cut to what is left of the run's timeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Redirects followed (each to an allowed origin only) before <c>req</c> answers error 11.</summary>
    public int MaxRedirects { get; set; } = 10;

    /// <summary>
    /// Whether an allowed host name may resolve to a loopback, private (RFC 1918, unique local, CGNAT), link-local or
    /// metadata (169.254.169.254) address. Off: such a connection is refused at connect time (error 7), whatever the
    /// route allows, so an allowed name cannot be pointed at the worker's own network (DNS rebinding included).
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxResponseBytes < 1)
        {
            problems.Add($"Outbound:MaxResponseBytes must be at least 1 (was {MaxResponseBytes}).");
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromHours(1))
        {
            problems.Add($"Outbound:RequestTimeout must be between 1 ms and 1 hour (was {RequestTimeout}).");
        }

        if (MaxRedirects is < 0 or > 50)
        {
            problems.Add($"Outbound:MaxRedirects must be between 0 and 50 (was {MaxRedirects}).");
        }

        return problems;
    }
}
