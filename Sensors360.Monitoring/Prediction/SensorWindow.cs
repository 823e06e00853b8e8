namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// What one sensor's heartbeats looked like as of a moment, aggregated by <see cref="FeatureQuery"/>. Seconds
/// throughout; gaps are between consecutive heartbeats on the sensor's clock. "Recent", "trend" and "baseline" are
/// windows sized in the sensor's own expected intervals (<see cref="PredictionOptions"/>).
/// </summary>
public sealed record SensorWindow(
    long SensorId,
    double ExpectedSeconds,
    double StaleSeconds,
    double AgeDays,
    double SilenceSeconds,
    int RecentBeats,
    int RecentGaps,
    double? RecentGapMean,
    double? RecentGapStdDev,
    int TrendGaps,
    double? TrendSlope,
    double TrendMissed,
    int Flaps,
    int BaselineGaps,
    double? BaselineMedian,
    double? BaselineMean,
    double? BaselineStdDev);
