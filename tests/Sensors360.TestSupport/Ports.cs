using System.Net;
using System.Net.Sockets;

namespace Sensors360.TestSupport;

public static class Ports
{
    /// <summary>A loopback port free at the moment of asking, for a program the test starts itself.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
