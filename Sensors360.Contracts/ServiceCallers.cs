namespace Sensors360.Contracts;

/// <summary>
/// The services that call other Sensors 360 services, by the name the AppHost issues each one's key under
/// (<c>Parameters:service-key-&lt;name&gt;</c>) and the receiver knows it by (<c>ServiceAuth:Callers:&lt;name&gt;</c>).
/// </summary>
public static class ServiceCallers
{
    public const string Gateway = "gateway";
    public const string Ingestion = "ingestion";
    public const string Simulator = "simulator";

    /// <summary>The AppHost itself, running an operator's resource command from the Aspire dashboard.</summary>
    public const string AppHost = "apphost";

    /// <summary>
    /// RabbitMQ, asking Ingestion.Api whether an MQTT device may connect, publish or subscribe, at
    /// <see cref="BrokerAuthPath"/><c>/{key}/…</c>: its HTTP auth backend cannot send headers, so the key is in the path.
    /// </summary>
    public const string Broker = "broker";

    public const string BrokerAuthPath = "/internal/mqtt";
}
