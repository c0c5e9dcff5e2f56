namespace Functions.Runtime.Outbound;

/// <summary>How one outbound call ended; the worker counts calls by route and outcome (<see cref="OutboundCalls.Label"/>).</summary>
public enum OutboundOutcome
{
    /// <summary>A response (any status) was handed to the module.</summary>
    Completed,

    /// <summary>The URL's origin is not among the route's allowed hosts: nothing was sent (error 7).</summary>
    Forbidden,

    /// <summary>A redirect pointed at an origin the route does not allow: it was not followed (error 7).</summary>
    RedirectForbidden,

    /// <summary>The host name resolved to a loopback, private, link-local or metadata address (error 7).</summary>
    PrivateAddress,

    /// <summary>The call's own timeout passed (error 11); past the run's deadline the run itself ends, timed out.</summary>
    TimedOut,

    /// <summary>The response body was larger than the cap (error 11).</summary>
    TooLarge,

    /// <summary>The route's outbound concurrency was taken for the whole call's timeout, or the run holds as many responses as it may (error 13).</summary>
    TooManySessions,

    /// <summary>The URL, method or headers were invalid (errors 6, 8, 9, 10): nothing was sent.</summary>
    Invalid,

    /// <summary>Connecting or talking to the server failed, or too many redirects (error 11).</summary>
    Failed,
}
