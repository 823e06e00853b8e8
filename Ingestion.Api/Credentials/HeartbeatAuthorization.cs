using Ingestion.Api.Heartbeats;

namespace Ingestion.Api.Credentials;

/// <summary>Whether a key may send a heartbeat for a sensor: the one rule for HTTP and MQTT alike.</summary>
public static class HeartbeatAuthorization
{
    /// <summary>
    /// Null when <paramref name="sensorId"/>'s heartbeat (item <paramref name="index"/>) may be sent with the key of
    /// <paramref name="ownSensor"/> (a sensor key) or of <paramref name="collector"/> (a collector key); else why not (403):
    /// another sensor's, one the collector does not cover, or a retired one.
    /// </summary>
    public static HeartbeatRejection? Check(CredentialSet credentials, SensorEntry? ownSensor, CollectorEntry? collector, long sensorId, int index)
    {
        if (ownSensor is not null)
        {
            return ownSensor.SensorId != sensorId
                ? Forbidden("Not your sensor",
                    $"Heartbeat {index} is for sensor {sensorId}, but the key belongs to sensor {ownSensor.SensorId}. "
                    + "A sensor key covers only its own sensor; use a collector key to send for several sensors.", index)
                : Retired(ownSensor, index);
        }

        var sensor = credentials.FindSensor(sensorId);
        if (collector is null || sensor is null || !collector.Authorises(sensor))
        {
            return Forbidden("Sensor not authorised",
                $"Heartbeat {index} is for sensor {sensorId}, which collector key '{collector?.Name}' does not cover "
                + (sensor is null ? "(no such sensor is registered)." : "(its labels do not match the key's selector)."), index);
        }
        return Retired(sensor, index);
    }

    static HeartbeatRejection? Retired(SensorEntry sensor, int index) => sensor.RetiredAt is { } retiredAt
        ? Forbidden("Sensor retired", $"Heartbeat {index} is for sensor {sensor.SensorId}, retired at {retiredAt:O}; it accepts no more heartbeats.", index)
        : null;

    static HeartbeatRejection Forbidden(string title, string detail, int index) => new(403, title, detail, index);
}
