using Sensors360.Monitoring.Analytics;

namespace Sensors360.Monitoring.Tests.Analytics;

public sealed class IntervalPercentilesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset[] At(params double[] seconds) => [.. seconds.Select(T0.AddSeconds)];

    [Fact]
    public void Percentiles_interpolate_between_the_closest_ranks()
    {
        // Gaps 10, 10, 30, 60 (n = 4). p50 at rank 0.5 × 3 = 1.5: 10 + 0.5 × (30 − 10) = 20.
        // p95 at rank 0.95 × 3 = 2.85: 30 + 0.85 × (60 − 30) = 55.5.
        var percentiles = Intervals.Percentiles(At(0, 10, 20, 50, 110));

        Assert.Equal(20.0, percentiles.P50Seconds!.Value, precision: 9);
        Assert.Equal(55.5, percentiles.P95Seconds!.Value, precision: 9);
    }

    [Fact]
    public void Percentiles_land_on_a_gap_when_the_rank_is_whole()
    {
        // Gaps 5, 7, 9 (n = 3). p50 at rank 1 → 7. p95 at rank 1.9: 7 + 0.9 × 2 = 8.8.
        var percentiles = Intervals.Percentiles(At(0, 5, 12, 21));

        Assert.Equal(7.0, percentiles.P50Seconds!.Value, precision: 9);
        Assert.Equal(8.8, percentiles.P95Seconds!.Value, precision: 9);
    }

    [Fact]
    public void Percentiles_ignore_order_and_duplicate_timestamps()
    {
        // The first example shuffled, with 10 s twice: still gaps 10, 10, 30, 60.
        var percentiles = Intervals.Percentiles(At(110, 0, 20, 10, 50, 10));

        Assert.Equal(20.0, percentiles.P50Seconds!.Value, precision: 9);
        Assert.Equal(55.5, percentiles.P95Seconds!.Value, precision: 9);
    }

    [Fact]
    public void Percentiles_of_a_single_gap_are_that_gap() =>
        Assert.Equal(new IntervalPercentiles(30.0, 30.0), Intervals.Percentiles(At(0, 30)));

    [Fact]
    public void Percentiles_keep_sub_second_gaps() =>
        Assert.Equal(new IntervalPercentiles(0.25, 0.25), Intervals.Percentiles(At(0, 0.25)));

    [Fact]
    public void Percentiles_need_two_timestamps()
    {
        Assert.Equal(new IntervalPercentiles(null, null), Intervals.Percentiles([]));
        Assert.Equal(new IntervalPercentiles(null, null), Intervals.Percentiles(At(42)));
    }

    [Fact]
    public void Percentiles_of_one_timestamp_repeated_are_null() =>
        Assert.Equal(new IntervalPercentiles(null, null), Intervals.Percentiles(At(42, 42, 42)));
}
