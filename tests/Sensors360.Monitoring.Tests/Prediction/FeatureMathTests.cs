using Sensors360.Monitoring.Prediction;

namespace Sensors360.Monitoring.Tests.Prediction;

public sealed class FeatureMathTests
{
    static readonly PredictionOptions Options = new();

    // A sensor expected every 600 s: recent window 36 × 600 s = 6 h, trend window 144 × 600 s = 24 h.
    static SensorWindow Window(
        int recentBeats = 36, double ageDays = 100, int baselineGaps = 1000, double? baselineMean = 600,
        double? baselineSd = 60, int recentGaps = 35, double? recentMean = 600, double? recentSd = 60, int trendGaps = 143,
        double? slope = 0, double missed = 0, int flaps = 0, double silence = 100) =>
        new(1, ExpectedSeconds: 600, StaleSeconds: 1800, ageDays, silence, recentBeats, RecentSpanSeconds: 21_600, recentGaps, recentMean,
            recentSd, trendGaps, slope, missed, flaps, baselineGaps, baselineMean, baselineSd);

    [Fact]
    public void A_sensor_behaving_as_usual_has_unit_ratios_and_no_trend()
    {
        var f = FeatureMath.From(Window(), Options);

        Assert.Equal((1.0, 0.0, 0.0, 1.0, 0), (f.IntervalRatio, f.TrendLog2, f.MissedRatio, f.VariabilityRatio, f.Flaps));
        Assert.Equal((600.0, true, 21_600.0, 86_400.0), (f.BaselineSeconds, f.MeasuredBaseline, f.RecentWindowSeconds, f.TrendWindowSeconds));
    }

    [Fact]
    public void Fewer_heartbeats_in_the_recent_window_than_usual_raise_the_interval_ratio()
    {
        // 12 heartbeats in 6 h: one every 1,800 s, three times the 600 s baseline.
        var f = FeatureMath.From(Window(recentBeats: 12), Options);

        Assert.Equal(3.0, f.IntervalRatio, precision: 12);
    }

    [Fact]
    public void The_trend_is_the_number_of_doublings_across_the_trend_window()
    {
        // ln(gap) rising by ln 2 per 24 h: the interval doubled once over the window.
        var f = FeatureMath.From(Window(slope: Math.Log(2) / 86_400), Options);

        Assert.Equal(1.0, f.TrendLog2, precision: 12);
    }

    [Fact]
    public void Missed_heartbeats_are_a_share_of_those_expected()
    {
        // 100 gaps received and 50 heartbeats estimated missing between them: a third of the expected 150 never came.
        var f = FeatureMath.From(Window(trendGaps: 100, missed: 50), Options);

        Assert.Equal(1.0 / 3, f.MissedRatio, precision: 12);
    }

    [Fact]
    public void Without_enough_baseline_gaps_the_expected_interval_and_a_default_variation_stand_in()
    {
        var f = FeatureMath.From(Window(baselineGaps: 5, baselineMean: 900, recentSd: 90), Options);

        Assert.False(f.MeasuredBaseline);
        Assert.Equal(600, f.BaselineSeconds);
        Assert.Equal(0.15 / FeatureMath.DefaultVariation, f.VariabilityRatio, precision: 12);
    }

    [Fact]
    public void A_sensor_younger_than_the_recent_window_is_judged_on_the_time_it_has_lived()
    {
        // Two hours old with 12 heartbeats: one every 600 s, as expected (not 36 × 600 / 12).
        var f = FeatureMath.From(Window(ageDays: 2.0 / 24, recentBeats: 12, baselineGaps: 0), Options);

        Assert.Equal(1.0, f.IntervalRatio, precision: 12);
    }

    [Fact]
    public void Irregular_gaps_show_as_variability_against_the_sensors_own_baseline()
    {
        // Baseline CV 60/600 = 0.1, recent CV 240/800 = 0.3.
        var f = FeatureMath.From(Window(recentMean: 800, recentSd: 240), Options);

        Assert.Equal(3.0, f.VariabilityRatio, precision: 12);
    }

    [Fact]
    public void Only_sensors_heard_within_their_stale_threshold_are_scored()
    {
        Assert.True(FeatureMath.IsLive(Window(silence: 1800)));
        Assert.False(FeatureMath.IsLive(Window(silence: 1801)));
    }
}
