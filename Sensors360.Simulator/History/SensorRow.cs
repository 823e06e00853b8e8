using System.Text.Json;

namespace Sensors360.Simulator.History;

/// <summary>
/// A planned sensor as its <c>sensors</c> and <c>sensor_liveness</c> rows at the end of the history. Its deadlines and
/// its state at the end are left to the monitor's own rules (<see cref="HistoryGenerator"/> applies them in the
/// database); here it is retired, never heard (new) or heard (up since its first receipt, or since it was installed
/// when that was before the window).
/// </summary>
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
    string State,
    DateTimeOffset StateSince)
{
    public static TimeSpan GraceFor(int intervalSeconds, double jitter) =>
        // The tolerance keeps e.g. 300 × 0.2 from rounding up to 61 s through binary floating point.
        TimeSpan.FromSeconds(Math.Ceiling(intervalSeconds * jitter - 1e-9) + 60);

    public static TimeSpan StaleAfterFor(int intervalSeconds) => TimeSpan.FromSeconds(3L * intervalSeconds);

    /// <param name="beats">The sensor's beats as tallied; <paramref name="heartbeatCount"/> includes those before the window.</param>
    public static SensorRow From(PlannedSensor sensor, double jitter, BeatTally beats, long heartbeatCount)
    {
        var last = beats.Last;
        var (state, since) = (sensor.RetiredAt, beats.First) switch
        {
            ({ } retiredAt, _) => ("retired", retiredAt),
            (null, null) => ("new", sensor.InstalledAt),
            (null, { } first) => ("up", beats.HeardBefore ? sensor.InstalledAt : first.ReceivedAt),
        };

        return new SensorRow(
            sensor.Id, sensor.Tag, JsonSerializer.Serialize(sensor.Labels), sensor.InstalledAt, sensor.RetiredAt, sensor.ReplacedBy, sensor.KeyHash,
            sensor.Interval, GraceFor(sensor.IntervalSeconds, jitter), StaleAfterFor(sensor.IntervalSeconds),
            last is null ? null : sensor.InstalledAt, last?.SensorTime, last?.ReceivedAt, heartbeatCount, state, since);
    }
}
