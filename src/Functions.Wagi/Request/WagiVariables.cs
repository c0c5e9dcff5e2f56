using System.Collections.Frozen;

namespace Functions.Wagi;

/// <summary>The names of the variables WAGI sets on every request (WAGI.md, "Environment").</summary>
public static class WagiVariables
{
    public const string RequestMethod = "REQUEST_METHOD";
    public const string ServerProtocol = "SERVER_PROTOCOL";
    public const string GatewayInterface = "GATEWAY_INTERFACE";
    public const string ServerSoftware = "SERVER_SOFTWARE";
    public const string ServerName = "SERVER_NAME";
    public const string ServerPort = "SERVER_PORT";
    public const string RemoteAddr = "REMOTE_ADDR";
    public const string RemoteHost = "REMOTE_HOST";
    public const string AuthType = "AUTH_TYPE";
    public const string RemoteUser = "REMOTE_USER";
    public const string QueryString = "QUERY_STRING";
    public const string ScriptName = "SCRIPT_NAME";
    public const string PathInfo = "PATH_INFO";
    public const string PathTranslated = "PATH_TRANSLATED";
    public const string RawPathInfo = "X_RAW_PATH_INFO";
    public const string MatchedRoute = "X_MATCHED_ROUTE";
    public const string FullUrl = "X_FULL_URL";
    public const string ContentLength = "CONTENT_LENGTH";
    public const string ContentType = "CONTENT_TYPE";
    public const string RequestId = "X_REQUEST_ID";

    /// <summary>Every header becomes <c>HTTP_</c> + its name upper-cased with <c>-</c> → <c>_</c>.</summary>
    public const string HeaderPrefix = "HTTP_";

    /// <summary><c>GATEWAY_INTERFACE</c>'s value.</summary>
    public const string CgiVersion = "CGI/1.1";

    /// <summary>The default <c>SERVER_SOFTWARE</c> (WAGI sends <c>WAGI/1</c>).</summary>
    public const string DefaultServerSoftware = "Functions/1";

    /// <summary>The variables above: they override a configured variable of the same name.</summary>
    public static FrozenSet<string> Reserved { get; } = FrozenSet.Create(
        StringComparer.Ordinal,
        RequestMethod, ServerProtocol, GatewayInterface, ServerSoftware, ServerName, ServerPort, RemoteAddr,
        RemoteHost, AuthType, RemoteUser, QueryString, ScriptName, PathInfo, PathTranslated, RawPathInfo,
        MatchedRoute, FullUrl, ContentLength, ContentType, RequestId);
}
