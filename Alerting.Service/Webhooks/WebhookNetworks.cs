using System.Net;
using System.Net.Sockets;

namespace Alerting.Service.Webhooks;

/// <summary>
/// Which addresses a webhook may be delivered to. A target is chosen by whoever registers it, so without this rule it
/// could make the worker POST into the network it runs in: the cloud's metadata service (169.254.169.254), the
/// database, RabbitMQ's management API. Private, loopback, link-local and other non-public ranges are refused unless
/// <c>Alerting:Webhooks:AllowedNetworks</c> names them. The rule is applied to the address actually connected to
/// (<see cref="ConnectAsync"/>), so a host name that resolves to a public address when registered and to a private
/// one later (DNS rebinding) is refused all the same.
/// </summary>
public sealed class WebhookNetworks
{
    /// <summary>Not the public internet: "this network", private, shared (CGNAT), loopback, link-local, multicast, reserved.</summary>
    public static readonly IReadOnlyList<IPNetwork> Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/96"), // unspecified, loopback (::1) and the old IPv4-compatible form
        IPNetwork.Parse("64:ff9b:1::/48"), // local-use NAT64 (RFC 8215): may reach any IPv4 address inside
        IPNetwork.Parse("2002::/16"), // 6to4: carries an IPv4 address, private ones included
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("fec0::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    // IPv6 forms that carry an IPv4 address: checked as that IPv4 address.
    static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    readonly IPNetwork[] _allowed;

    public WebhookNetworks(IEnumerable<IPNetwork> allowed) => _allowed = [.. allowed];

    public static WebhookNetworks From(WebhookOptions options) =>
        new(options.AllowedNetworks.Select(network => IPNetwork.Parse(network.Trim())));

    /// <summary>Whether a delivery may go to <paramref name="address"/>.</summary>
    public bool Allows(IPAddress address)
    {
        var normalized = Normalize(address);
        return !Refused.Any(network => network.Contains(normalized))
            || _allowed.Any(network => network.Contains(normalized) || network.Contains(address));
    }

    /// <summary>An IPv4 address wrapped in IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) as that IPv4 address.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && Nat64.Contains(address))
        {
            return new IPAddress(address.GetAddressBytes()[12..]);
        }
        return address;
    }

    /// <summary>Why <paramref name="address"/> is refused, for the webhook's last error and the registration's 400.</summary>
    public static string RefusalReason(string host, IReadOnlyCollection<IPAddress> addresses) =>
        (addresses.Count == 1 && addresses.First().ToString() == host.Trim('[', ']')
            ? $"{host} is"
            : $"{host} resolves to {string.Join(", ", addresses)}, all")
        + " in a private, loopback, link-local or otherwise non-public range: webhooks are not delivered there "
        + "(Alerting:Webhooks:AllowedNetworks can allow a range, e.g. 10.20.0.0/16).";

    /// <summary>
    /// The webhook client's connect step: resolves the host, drops every refused address and connects to the first
    /// allowed one that answers. When none is allowed it throws <see cref="WebhookTargetRefusedException"/>.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(Allows).ToArray();
        if (allowed.Length == 0)
        {
            throw new WebhookTargetRefusedException(RefusalReason(host, addresses));
        }

        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}

/// <summary>The target's address is in a range deliveries may not go to; retrying does not help.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
