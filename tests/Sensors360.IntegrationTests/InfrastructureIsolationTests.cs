using System.Globalization;
using System.Net;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.IntegrationTests;

/// <summary>The started system's PostgreSQL and RabbitMQ: reachable from this machine only.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class InfrastructureIsolationTests(SensorsAppFixture fixture)
{
    DistributedApplication App => fixture.App;

    [Fact]
    public void PostgreSQL_RabbitMQ_and_epmd_listen_on_the_loopback_interface_only()
    {
        var endpoints = new[]
        {
            ("postgres", LocalPostgresResource.EndpointName),
            ("messaging", LocalRabbitMqResource.AmqpEndpointName),
            ("messaging", LocalRabbitMqResource.ManagementEndpointName),
            ("messaging", "dist"),
            ("messaging", "epmd"),
        };
        var listeners = ListeningSockets();

        foreach (var (resource, endpoint) in endpoints)
        {
            var port = App.GetEndpoint(resource, endpoint).Port;
            var addresses = listeners.Where(l => l.Port == port).Select(l => l.Address).ToList();
            Assert.True(addresses.Count > 0, $"nothing listens on {resource}/{endpoint} (port {port})");
            Assert.True(addresses.All(IsLoopback),
                $"{resource}/{endpoint} (port {port}) listens on {string.Join(", ", addresses)}, not on loopback only");
        }
    }

    sealed record Listener(IPAddress Address, int Port);

    /// <summary>Every listening TCP socket of this machine's network namespace, from /proc/net/tcp and tcp6.</summary>
    static List<Listener> ListeningSockets()
    {
        var result = new List<Listener>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] != "0A")   // TCP_LISTEN
                {
                    continue;
                }
                var (hexAddress, hexPort) = (fields[1][..fields[1].IndexOf(':')], fields[1][(fields[1].IndexOf(':') + 1)..]);
                // The address is stored as 32-bit words in host (little-endian) order.
                var bytes = Convert.FromHexString(hexAddress);
                for (var word = 0; word < bytes.Length; word += 4)
                {
                    Array.Reverse(bytes, word, 4);
                }
                result.Add(new Listener(new IPAddress(bytes), int.Parse(hexPort, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }
        return result;
    }

    static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
