using System.Globalization;

namespace Functions.Wagi;

/// <summary>Splits a <c>Host</c> header into CGI's <c>SERVER_NAME</c> and <c>SERVER_PORT</c>.</summary>
internal static class HostHeader
{
    /// <summary>
    /// <c>example.com:8080</c> → (<c>example.com</c>, <c>8080</c>); <c>[::1]:8080</c> → (<c>[::1]</c>, <c>8080</c>)
    /// (RFC 3875 keeps the brackets); no port → the scheme's default. False when the value is not a host.
    /// </summary>
    public static bool TrySplit(string host, string scheme, out string name, out string port)
    {
        name = "";
        port = "";
        var value = host.AsSpan().Trim();
        if (value.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<char> hostPart;
        ReadOnlySpan<char> portPart;
        if (value[0] == '[')
        {
            var close = value.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            hostPart = value[..(close + 1)];
            var after = value[(close + 1)..];
            if (!after.IsEmpty && after[0] != ':')
            {
                return false;
            }

            portPart = after.IsEmpty ? default : after[1..];
        }
        else
        {
            var colon = value.IndexOf(':');
            hostPart = colon < 0 ? value : value[..colon];
            portPart = colon < 0 ? default : value[(colon + 1)..];
        }

        if (hostPart.IsEmpty || (!portPart.IsEmpty && !IsPort(portPart)))
        {
            return false;
        }

        name = hostPart.Length == host.Length ? host : hostPart.ToString();
        port = portPart.IsEmpty ? DefaultPort(scheme) : portPart.ToString();
        return true;
    }

    /// <summary>The scheme's well-known port: 443 for https (and wss), 80 otherwise.</summary>
    public static string DefaultPort(string scheme) =>
        scheme.Equals("https", StringComparison.OrdinalIgnoreCase) || scheme.Equals("wss", StringComparison.OrdinalIgnoreCase)
            ? "443"
            : "80";

    /// <summary>The authority for a local address: IPv6 literals get brackets; the port is left out when default.</summary>
    public static string LocalName(string address) =>
        address.Contains(':', StringComparison.Ordinal) && !address.StartsWith('[') ? $"[{address}]" : address;

    public static string LocalPort(int port, string scheme) =>
        port > 0 ? port.ToString(CultureInfo.InvariantCulture) : DefaultPort(scheme);

    private static bool IsPort(ReadOnlySpan<char> port) =>
        port.Length <= 5 && !port.ContainsAnyExceptInRange('0', '9')
        && int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture) <= 65535;
}
