namespace Sensors360.Contracts;

public static class QueueNames
{
    /// <summary>
    /// The durable queue Monitor.Worker consumes <see cref="HeartbeatsReceived"/> from. Ingestion.Api sends to it
    /// directly (not through a fan-out exchange), so an accepted batch is queued even before a worker has bound;
    /// with quorum queues it sends to the queue's exchange of the same name instead (MessagingOptions.SendAddress).
    /// </summary>
    public const string Heartbeats = "heartbeats";

    /// <summary>
    /// The durable queue MQTT devices' heartbeats land in (bound to <c>amq.topic</c>), which Ingestion.Api checks and
    /// forwards to <see cref="Heartbeats"/>. RabbitMQ acknowledges a QoS 1 publish once this queue has it.
    /// </summary>
    public const string MqttHeartbeats = "mqtt-heartbeats";
}
