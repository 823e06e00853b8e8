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
}
