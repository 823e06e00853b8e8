namespace Sensors360.Monitoring.Analytics;

/// <summary>A sensor's earliest and latest heartbeat (sensor clock) and how many distinct heartbeats are stored.</summary>
public readonly record struct HeartbeatSummary(DateTimeOffset? First, DateTimeOffset? Last, long Count);
