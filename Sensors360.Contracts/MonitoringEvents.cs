namespace Sensors360.Contracts;

/// <summary>
/// The fleet at a glance, published every status period (5 s by default) by the one worker that holds the
/// periodic-work lock. Definitions of each figure: docs/analytics.md. <paramref name="LagSeconds"/> is how far storing
/// is behind the heartbeats already accepted (0 when caught up; null when heartbeats wait and none has been stored yet); <paramref name="Behind"/> is true while that exceeds
/// the worker's <c>Monitor:BehindAfter</c>, and then no sensor is called late or down on a deadline its unread
/// heartbeats might have met.
/// </summary>
public sealed record SensorStatusSnapshot(
    DateTimeOffset At,
    int Total,
    int New,
    int Up,
    int Late,
    int Down,
    int Retired,
    double PercentStale,
    double? MeanIntervalSeconds,
    double? MeanLifespanDays,
    double HeartbeatsPerSecond,
    double? LagSeconds = 0,
    bool Behind = false);

/// <summary>Result of a staleness scan: how many sensors are stale and the longest-silent of them (at most N ids).</summary>
public sealed record StaleSensorsDetected(DateTimeOffset At, TimeSpan Threshold, int Count, IReadOnlyList<long> SensorIds);
