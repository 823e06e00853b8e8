using System.Diagnostics.Metrics;

namespace Realtime.Gateway.Realtime;

/// <summary>The live side of the gateway as metrics of the product's meter (docs/architecture.md#product-metrics).</summary>
public static class RealtimeMetrics
{
    public const string Clients = "sensors360.gateway.websocket_clients";

    public static RealtimeHub Observed(this RealtimeHub hub, IMeterFactory meters)
    {
        meters.Create(Extensions.ProductMeter).CreateObservableUpDownCounter(
            Clients, () => hub.ConnectionCount, "{connection}", "WebSocket clients connected to this gateway instance");
        return hub;
    }
}
