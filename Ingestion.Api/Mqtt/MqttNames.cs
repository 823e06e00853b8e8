using System.Globalization;

namespace Ingestion.Api.Mqtt;

/// <summary>Who an MQTT user name names: a sensor by its id, or a collector key as <c>collector-&lt;id&gt;</c>.</summary>
/// <remarks>
/// RabbitMQ asks about each publish and subscribe with the user name alone, never the password, so the user name has
/// to say which key connected: that is what lets a sensor publish only to its own topic and a collector only for the
/// sensors its selector covers, on any ingestion replica, without remembering connections.
/// </remarks>
public readonly record struct MqttUser(long? SensorId, long? CollectorKeyId)
{
    public const string CollectorPrefix = "collector-";

    public static MqttUser? Parse(string? userName)
    {
        if (PositiveId(userName) is { } sensorId)
        {
            return new MqttUser(sensorId, null);
        }
        return userName is not null && userName.StartsWith(CollectorPrefix, StringComparison.Ordinal)
            && PositiveId(userName[CollectorPrefix.Length..]) is { } keyId
            ? new MqttUser(null, keyId)
            : null;
    }

    static long? PositiveId(string? text) =>
        text is { Length: > 0 and <= 19 } && text.All(char.IsAsciiDigit)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}

/// <summary>
/// The MQTT topics, as RabbitMQ routes them (on <c>amq.topic</c>, with the topic's '/' as '.'):
/// <c>sensors/{id}/heartbeat</c> and <c>collectors/{keyId}/heartbeats</c> carry heartbeats;
/// <c>sensors/{id}/errors</c> and <c>collectors/{keyId}/errors</c> carry back why a message was not stored.
/// </summary>
public readonly record struct MqttTopic(MqttTopicKind Kind, long Id)
{
    public static readonly string[] HeartbeatBindings = ["sensors.*.heartbeat", "collectors.*.heartbeats"];

    public static MqttTopic? Parse(string routingKey)
    {
        var parts = routingKey.Split('.');
        if (parts.Length != 3 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
        {
            return null;
        }
        MqttTopicKind? kind = (parts[0], parts[2]) switch
        {
            ("sensors", "heartbeat") => MqttTopicKind.SensorHeartbeat,
            ("collectors", "heartbeats") => MqttTopicKind.CollectorHeartbeats,
            ("sensors", "errors") => MqttTopicKind.SensorErrors,
            ("collectors", "errors") => MqttTopicKind.CollectorErrors,
            _ => null,
        };
        return kind is { } known ? new MqttTopic(known, id) : null;
    }

    /// <summary>Where a device hears why a message on this topic was not stored (as a routing key).</summary>
    public string ErrorsRoutingKey => Kind is MqttTopicKind.CollectorHeartbeats or MqttTopicKind.CollectorErrors
        ? $"collectors.{Id}.errors"
        : $"sensors.{Id}.errors";

    /// <summary>The topic as a device writes it.</summary>
    public override string ToString() => Kind switch
    {
        MqttTopicKind.SensorHeartbeat => $"sensors/{Id}/heartbeat",
        MqttTopicKind.CollectorHeartbeats => $"collectors/{Id}/heartbeats",
        MqttTopicKind.SensorErrors => $"sensors/{Id}/errors",
        _ => $"collectors/{Id}/errors",
    };
}

public enum MqttTopicKind
{
    SensorHeartbeat,
    CollectorHeartbeats,
    SensorErrors,
    CollectorErrors,
}
