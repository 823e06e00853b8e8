using System.Globalization;

namespace Ingestion.Api.Mqtt;

/// <summary>
/// Who signed in over MQTT: a sensor, whose user name is its id, or a collector key, under any other user name.
/// </summary>
/// <remarks>
/// RabbitMQ asks about each publish and subscribe with the user name and the tags our sign-in answer gave, never the
/// password. So a collector's sign-in is answered with the tag <c>collector-&lt;key id&gt;</c>: that is what lets a
/// collector publish only for the sensors its selector covers, on any ingestion replica, without remembering
/// connections. A sensor's user name already says which sensor it is.
/// </remarks>
public readonly record struct MqttUser(long? SensorId, long? CollectorKeyId)
{
    public const string CollectorPrefix = "collector-";

    /// <summary>The sensor a user name names, if it is a sensor id.</summary>
    public static long? SensorOf(string? userName) => PositiveId(userName);

    /// <summary>The collector key a <c>collector-&lt;id&gt;</c> text (a user name or a tag) names.</summary>
    public static long? CollectorOf(string? text) =>
        text is not null && text.StartsWith(CollectorPrefix, StringComparison.Ordinal) ? PositiveId(text[CollectorPrefix.Length..]) : null;

    /// <summary>The tag a collector key's sign-in is answered with.</summary>
    public static string CollectorTag(long collectorKeyId) => CollectorPrefix + collectorKeyId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Who the broker asks about: a collector by its tag, else a sensor by its user name.</summary>
    public static MqttUser? Signed(string? userName, string? tags)
    {
        foreach (var tag in (tags ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (CollectorOf(tag) is { } keyId)
            {
                return new MqttUser(null, keyId);
            }
        }
        return SensorOf(userName) is { } sensorId ? new MqttUser(sensorId, null) : null;
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
