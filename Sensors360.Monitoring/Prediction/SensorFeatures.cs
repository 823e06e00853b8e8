namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// One sensor's cadence compared with its own baseline, as of a moment. Ratios are 1 for a sensor behaving as usual.
/// </summary>
/// <param name="IntervalRatio">Recent interval (the recent window divided by the heartbeats in it) over the baseline interval.</param>
/// <param name="TrendLog2">How many times the interval doubled across the trend window (least squares on log gaps); 0 when flat.</param>
/// <param name="MissedRatio">Share of the heartbeats expected in the trend window that never came.</param>
/// <param name="VariabilityRatio">Recent coefficient of variation of the gaps over the baseline one.</param>
/// <param name="BaselineWindowSeconds">How far back the baseline (and the flap count) reaches.</param>
/// <param name="Flaps">Silences longer than the stale threshold that ended (the sensor came back) in that span.</param>
public sealed record SensorFeatures(
    long SensorId,
    double AgeDays,
    double ExpectedSeconds,
    double BaselineSeconds,
    bool MeasuredBaseline,
    double RecentWindowSeconds,
    double TrendWindowSeconds,
    double BaselineWindowSeconds,
    double IntervalRatio,
    double TrendLog2,
    double MissedRatio,
    double VariabilityRatio,
    int Flaps);

/// <summary>Turns a sensor's aggregated heartbeats into its features. Pure.</summary>
public static class FeatureMath
{
    /// <summary>Assumed gap variability when a sensor has no baseline of its own yet (±20 % uniform jitter is 0.115).</summary>
    public const double DefaultVariation = 0.15;

    const double MinimumVariation = 0.02;

    /// <summary>Whether the sensor is scored at all: it must be heard within its stale threshold (a down sensor is already on the stale list).</summary>
    public static bool IsLive(SensorWindow window) => window.SilenceSeconds <= window.StaleSeconds;

    public static SensorFeatures From(SensorWindow w, PredictionOptions options)
    {
        var measured = w is { BaselineInterval: > 0 } && w.BaselineGaps >= options.MinBaselineGaps;
        var baseline = measured ? w.BaselineInterval!.Value : w.ExpectedSeconds;
        var baselineVariation = measured && w is { BaselineStdDev: { } sd } ? sd / baseline : DefaultVariation;

        // The window's hours may cover more than the window asks for; a sensor younger than that has not had all of it
        // to send its heartbeats.
        var recentWindow = options.RecentBeats * w.ExpectedSeconds;
        var observed = Math.Clamp(w.AgeDays * 86_400, w.ExpectedSeconds, Math.Max(w.RecentSpanSeconds, w.ExpectedSeconds));
        var recentInterval = observed / Math.Max(w.RecentBeats, 1);

        var recentVariation = w is { RecentGaps: >= 3, RecentGapMean: > 0, RecentGapStdDev: { } recentSd }
            ? recentSd / w.RecentGapMean.Value
            : baselineVariation;

        var trendWindow = options.TrendBeats * w.ExpectedSeconds;
        var trend = w is { TrendGaps: >= 6, TrendSlope: { } slope } ? slope * trendWindow / Math.Log(2) : 0;
        var received = Math.Max(w.TrendGaps, 0);
        var missed = w.TrendMissed + received == 0 ? 0 : w.TrendMissed / (w.TrendMissed + received);

        return new SensorFeatures(
            w.SensorId, w.AgeDays, w.ExpectedSeconds, baseline, measured, recentWindow, trendWindow,
            Math.Min(options.BaselineBeats * w.ExpectedSeconds, options.BaselineMaxSpan.TotalSeconds),
            IntervalRatio: recentInterval / baseline,
            TrendLog2: trend,
            MissedRatio: missed,
            VariabilityRatio: recentVariation / Math.Max(baselineVariation, MinimumVariation),
            w.Flaps);
    }
}
