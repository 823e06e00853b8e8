namespace Sensors360.Monitoring.Analytics;

/// <summary>Median and 95th percentile of one sensor's gaps between heartbeats; null with fewer than two heartbeats.</summary>
public readonly record struct IntervalPercentiles(double? P50Seconds, double? P95Seconds);
