namespace Functions.Wagi;

/// <summary>What the worker received, as far as the WAGI environment and argv need it.</summary>
/// <remarks>The worker fills it from Kestrel without decoding anything: paths and queries stay raw.</remarks>
public sealed record WagiRequest
{
    /// <summary>The method, e.g. <c>GET</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The request target's path as received, not decoded, without the query.</summary>
    public required string RawPath { get; init; }

    /// <summary>The raw query without <c>?</c>; <c>""</c> when there is none.</summary>
    public string QueryString { get; init; } = "";

    /// <summary>The protocol, e.g. <c>HTTP/1.1</c>.</summary>
    public string Protocol { get; init; } = "HTTP/1.1";

    /// <summary><c>http</c> or <c>https</c>; picks the default port when <c>Host</c> names none.</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>The <c>Host</c> header's value, or null when the request had none.</summary>
    public string? Host { get; init; }

    /// <summary>The address the request arrived on, used when there is no <c>Host</c> header.</summary>
    public string LocalAddress { get; init; } = "";

    /// <summary>The port the request arrived on, used when there is no <c>Host</c> header.</summary>
    public int LocalPort { get; init; }

    /// <summary>The client's IP address, no port.</summary>
    public string RemoteAddress { get; init; } = "";

    /// <summary>Every request header in arrival order; a name may repeat.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Body bytes; 0 when there is no body.</summary>
    public long ContentLength { get; init; }

    /// <summary>The request's <c>Content-Type</c>, or null.</summary>
    public string? ContentType { get; init; }

    /// <summary>The invocation id (<c>X_REQUEST_ID</c>, and the <c>X-Request-Id</c> response header).</summary>
    public string RequestId { get; init; } = "";
}
