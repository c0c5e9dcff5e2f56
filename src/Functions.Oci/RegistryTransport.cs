using System.Net;

namespace Functions.Oci;

/// <summary>HTTPS by default; plain HTTP only for registries the settings list as insecure, or loopback when allowed.</summary>
internal static class RegistryTransport
{
    public static bool AllowsPlainHttp(OciRegistrySettings settings, string hostAndPort)
    {
        var host = HostOf(hostAndPort);
        if (settings.Insecure.Any(entry => entry.Trim().Equals(hostAndPort, StringComparison.OrdinalIgnoreCase)
                                           || entry.Trim().Equals(host, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return settings.AllowInsecureLoopback && IsLoopback(host);
    }

    public static Uri BaseUri(OciRegistrySettings settings, string registry) =>
        new($"{(AllowsPlainHttp(settings, registry) ? "http" : "https")}://{registry}/");

    public static string HostOf(string hostAndPort)
    {
        if (hostAndPort.StartsWith('['))
        {
            var end = hostAndPort.IndexOf(']', StringComparison.Ordinal);
            return end < 0 ? hostAndPort : hostAndPort[..(end + 1)];
        }

        var colon = hostAndPort.LastIndexOf(':');
        return colon < 0 ? hostAndPort : hostAndPort[..colon];
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
