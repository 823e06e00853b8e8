namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// What one sensor's heartbeats looked like as of a moment, aggregated by <see cref="FeatureQuery"/>. Seconds
/// throughout; gaps are between consecutive heartbeats on the sensor's clock, and exclude silences (gaps longer than the
/// stale threshold) unless said otherwise. "Recent", "trend" and "baseline" are windows sized in the sensor's own
/// expected intervals (<see cref="PredictionOptions"/>), made of whole hours plus the hour under way, or exact when
/// shorter than an hour.
/// </summary>
/// <param name="RecentSpanSeconds">How much time the recent window's hours actually cover.</param>
/// <param name="TrendSlope">Least-squares slope of the log of each hour's mean gap over time, per second.</param>
/// <param name="TrendMissed">Heartbeats estimated missing in the trend window, from each hour's gaps (silences too) and the baseline interval.</param>
/// <param name="Flaps">Silences that ended within the baseline's reach.</param>
/// <param name="BaselineInterval">
/// The baseline's typical gap: the median of its whole UTC days' mean gaps when it spans three or more (so that a
/// slowdown or a bad day in it does not move it), else its mean gap.
/// </param>
public sealed record SensorWindow(
    long SensorId,
    double ExpectedSeconds,
    double StaleSeconds,
    double AgeDays,
    double SilenceSeconds,
    int RecentBeats,
    double RecentSpanSeconds,
    int RecentGaps,
    double? RecentGapMean,
    double? RecentGapStdDev,
    int TrendGaps,
    double? TrendSlope,
    double TrendMissed,
    int Flaps,
    int BaselineGaps,
    double? BaselineInterval,
    double? BaselineStdDev);
