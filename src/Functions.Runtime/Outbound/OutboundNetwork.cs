using System.Net;
using System.Net.Sockets;

namespace Functions.Runtime.Outbound;

/// <summary>
/// The network side of outbound calls: origins as the route's allow list spells them, and the
/// <see cref="SocketsHttpHandler"/> every call goes through (no automatic redirects, no cookies, no proxy from the
/// environment, and a connect step that refuses private addresses unless the operator allows them).
/// </summary>
public static class OutboundNetwork
{
    /// <summary>The name of the worker's pooled client in <c>IHttpClientFactory</c>.</summary>
    public const string ClientName = "functions-outbound";

    /// <summary><c>scheme://host[:port]</c>, lowercase, default port omitted (the form of <see cref="OutboundHttpSettings.AllowedHosts"/>).</summary>
    public static string Origin(Uri uri) =>
        uri.IsDefaultPort ? $"{uri.Scheme}://{uri.IdnHost}".ToLowerInvariant() : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}".ToLowerInvariant();

    /// <summary>Whether <paramref name="uri"/> (absolute, http or https) is on one of the allowed origins.</summary>
    public static bool IsAllowed(Uri uri, IReadOnlyList<string> allowedHosts)
    {
        var origin = Origin(uri);
        foreach (var allowed in allowedHosts)
        {
            if (string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Loopback, unspecified, private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10), link-local
    /// (169.254/16 with the cloud metadata address, fe80::/10), multicast, broadcast and reserved addresses; IPv4 mapped
    /// into IPv6 as its IPv4 address.
    /// </summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                || (b[0] == 100 && (b[1] & 0xC0) == 64)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) // documentation
                || (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0
                    && b[8] == 0 && b[9] == 0 && b[10] == 0 && b[11] == 0); // IPv4-compatible and ::
        }

        return true;
    }

    /// <summary>
    /// The handler of the pooled outbound client: redirects are the runtime's to follow (each checked against the
    /// allow list), no cookies, no proxy, no decompression (the body cap counts the bytes the server sent), and
    /// <see cref="Connect"/> as the connect step.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(OutboundHttpOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes are seen, and each new connection is checked again
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = (context, cancel) => Connect(context.DnsEndPoint, options.AllowPrivateNetworks, cancel),
    };

    /// <summary>
    /// Resolves the host and connects, refusing (with <see cref="PrivateAddressException"/>) when any address it resolves
    /// to is private and <paramref name="allowPrivate"/> is false. The check is on the addresses actually connected to,
    /// so a name that resolves differently the second time (DNS rebinding) is caught too.
    /// </summary>
    public static async ValueTask<Stream> Connect(DnsEndPoint endPoint, bool allowPrivate, CancellationToken cancel)
    {
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancel).ConfigureAwait(false);
        if (!allowPrivate && addresses.FirstOrDefault(IsPrivate) is { } refused)
        {
            throw new PrivateAddressException(endPoint.Host, refused);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endPoint.Port, cancel).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>An outbound connection refused because its host resolved to a private address.</summary>
public sealed class PrivateAddressException(string host, IPAddress address)
    : Exception($"{host} resolves to {address}, a loopback, private, link-local or metadata address; the worker refuses " +
        "those unless Worker:Outbound:AllowPrivateNetworks is true.")
{
    public string Host { get; } = host;

    public IPAddress Address { get; } = address;
}
