using System.Text.Json;

namespace Sensors360.Simulator.History;

/// <summary>A planned sensor as its <c>sensors</c> and <c>sensor_liveness</c> rows at the end of the history, its deadlines kept as the monitor keeps them.</summary>
public sealed record SensorRow(
    long Id,
    string Tag,
    string LabelsJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RetiredAt,
    long? ReplacedBy,
    string KeyHash,
    TimeSpan ExpectedInterval,
    TimeSpan Grace,
    TimeSpan StaleAfter,
    DateTimeOffset? FirstHeartbeatAt,
    DateTimeOffset? LastHeartbeatAt,
    DateTimeOffset? LastReceivedAt,
    long HeartbeatCount,
    DateTimeOffset? LateAt,
    DateTimeOffset? DownAt,
    string State,
    DateTimeOffset StateSince)
{
    public static TimeSpan GraceFor(int intervalSeconds, double jitter) =>
        // The tolerance keeps e.g. 300 × 0.2 from rounding up to 61 s through binary floating point.
        TimeSpan.FromSeconds(Math.Ceiling(intervalSeconds * jitter - 1e-9) + 60);

    public static TimeSpan StaleAfterFor(int intervalSeconds) => TimeSpan.FromSeconds(3L * intervalSeconds);

    /// <param name="beats">The sensor's beats as tallied; <paramref name="heartbeatCount"/> includes those before the window.</param>
    public static SensorRow From(PlannedSensor sensor, double jitter, DateTimeOffset endAt, BeatTally beats, long heartbeatCount)
    {
        var grace = GraceFor(sensor.IntervalSeconds, jitter);
        var staleAfter = StaleAfterFor(sensor.IntervalSeconds);
        var last = beats.Last;
        var lateAt = last?.ReceivedAt + sensor.Interval + grace;
        var downAt = last?.ReceivedAt + staleAfter;
        var dead = sensor.DeathAt <= endAt;

        var (state, since) = (sensor.RetiredAt, downAt) switch
        {
            ({ } retiredAt, _) => ("retired", retiredAt),
            (null, null) => dead ? ("down", sensor.DeathAt) : ("new", sensor.InstalledAt),
            // A sensor that just died may not have reached its deadline yet: it is down as of the end, no later.
            (null, { } due) when dead || due <= endAt => ("down", due < endAt ? due : endAt),
            _ => ("up", beats.UpSince ?? sensor.InstalledAt),
        };

        return new SensorRow(
            sensor.Id, sensor.Tag, JsonSerializer.Serialize(sensor.Labels), sensor.InstalledAt, sensor.RetiredAt, sensor.ReplacedBy, sensor.KeyHash,
            sensor.Interval, grace, staleAfter, last is null ? null : sensor.InstalledAt, last?.SensorTime, last?.ReceivedAt, heartbeatCount,
            lateAt, downAt, state, since);
    }
}
