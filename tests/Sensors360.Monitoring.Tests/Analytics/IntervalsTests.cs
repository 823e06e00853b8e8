using Sensors360.Monitoring.Analytics;

namespace Sensors360.Monitoring.Tests.Analytics;

public sealed class IntervalsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static HeartbeatSummary Summary(double firstSeconds, double lastSeconds, long count) =>
        new(T0.AddSeconds(firstSeconds), T0.AddSeconds(lastSeconds), count);

    [Fact]
    public void Mean_interval_is_the_span_over_the_number_of_gaps() =>
        // 600 s spanned by 11 heartbeats = 10 gaps → 60 s.
        Assert.Equal(60.0, Intervals.MeanSeconds(Summary(0, 600, 11)));

    [Fact]
    public void Mean_interval_keeps_fractions_of_a_second() =>
        // 10 s over 3 gaps → 3.333… s.
        Assert.Equal(10.0 / 3, Intervals.MeanSeconds(Summary(0, 10, 4))!.Value, precision: 9);

    [Fact]
    public void Mean_interval_does_not_depend_on_which_bound_comes_first() =>
        Assert.Equal(60.0, Intervals.MeanSeconds(Summary(600, 0, 11)));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Mean_interval_needs_two_heartbeats(long count) =>
        Assert.Null(Intervals.MeanSeconds(Summary(0, 0, count)));

    [Fact]
    public void Mean_interval_of_a_sensor_never_heard_is_null() =>
        Assert.Null(Intervals.MeanSeconds(new HeartbeatSummary(null, null, 0)));

    [Fact]
    public void Fleet_mean_weighs_every_gap_equally()
    {
        // A: 600 s / 10 gaps; B: 100 s / 2 gaps; C (one heartbeat) and D (none) have no gaps.
        // (600 + 100) / (10 + 2) = 58.333… s, not the mean of the means (60 + 50) / 2 = 55 s.
        HeartbeatSummary[] fleet = [Summary(0, 600, 11), Summary(1000, 1100, 3), Summary(5, 5, 1), new(null, null, 0)];

        Assert.Equal(700.0 / 12, Intervals.FleetMeanSeconds(fleet)!.Value, precision: 9);
    }

    [Fact]
    public void Fleet_mean_is_null_when_no_sensor_has_two_heartbeats() =>
        Assert.Null(Intervals.FleetMeanSeconds([Summary(0, 0, 1), new(null, null, 0)]));

    [Fact]
    public void Fleet_mean_is_null_for_an_empty_fleet() =>
        Assert.Null(Intervals.FleetMeanSeconds([]));

    [Fact]
    public void Fleet_mean_survives_spans_whose_sum_overflows_a_long()
    {
        // 200,000 sensors × 90 days = 1.5552e19 ticks > long.MaxValue (9.22e18); each has one 90-day gap,
        // so the mean is 90 × 86,400 = 7,776,000 s.
        var fleet = Enumerable.Repeat(Summary(0, 90 * 86_400, 2), 200_000);

        Assert.Equal(7_776_000.0, Intervals.FleetMeanSeconds(fleet)!.Value, precision: 6);
    }
}
