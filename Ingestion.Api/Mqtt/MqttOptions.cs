using System.ComponentModel.DataAnnotations;

namespace Ingestion.Api.Mqtt;

/// <summary>Settings of MQTT ingest (section <c>Mqtt</c>).</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary>
    /// The key RabbitMQ's HTTP auth backend calls <c>/internal/mqtt/{key}/…</c> with (it cannot send headers). Empty:
    /// no MQTT ingest, and the broker's questions are not answered.
    /// </summary>
    public string BrokerKey { get; set; } = "";

    /// <summary>MQTT messages being checked and forwarded at once (the queue's prefetch).</summary>
    [Range(1, 10_000)]
    public int Prefetch { get; set; } = 500;

    /// <summary>
    /// The broker nodes' management API (<c>http://host:port/</c>), where a device's connections are closed when its key
    /// is rotated or its sensor retired. Empty: they stay open until the device disconnects.
    /// </summary>
    public Uri[] ManagementUrls { get; set; } = [];

    public bool Enabled => BrokerKey.Length > 0;
}
