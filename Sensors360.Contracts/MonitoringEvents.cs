namespace Sensors360.Contracts;

/// <summary>
/// The fleet at a glance, published every status period (5 s by default) by the one worker that holds the
/// periodic-work lock. Definitions of each figure: docs/analytics.md.
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
    double HeartbeatsPerSecond);

/// <summary>Result of a staleness scan: how many sensors are stale and the longest-silent of them (at most N ids).</summary>
public sealed record StaleSensorsDetected(DateTimeOffset At, TimeSpan Threshold, int Count, IReadOnlyList<long> SensorIds);
