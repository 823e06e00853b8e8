using HdrHistogram;
using Sensors360.Measurement;

namespace Sensors360.Simulator.Tests.Load;

/// <summary>The latency helper every figure of the load tool and the benchmarks goes through (HdrHistogram).</summary>
public sealed class LatencyTests
{
    [Theory]
    [InlineData(50, 50_000)]
    [InlineData(90, 90_000)]
    [InlineData(99, 99_000)]
    [InlineData(99.9, 99_900)]
    public void Percentiles_of_a_uniform_spread_are_at_most_a_thousandth_above_the_true_value_and_never_below(double percentile, long exact)
    {
        var histogram = Latency.NewHistogram();
        for (var v = 1; v <= 100_000; v++)
        {
            histogram.RecordMicroseconds(v);
        }

        Assert.InRange(histogram.GetValueAtPercentile(percentile), exact, exact + (exact / 1000));
    }

    [Fact]
    public void The_summary_is_in_milliseconds_with_p50_p90_p99_p999_and_max()
    {
        var histogram = Latency.NewHistogram();
        for (var v = 1; v <= 1_000; v++)
        {
            histogram.RecordMicroseconds(v * 1_000L);
        }

        var summary = histogram.Summarize();

        Assert.Equal(1_000, summary.Count);
        Assert.InRange(summary.Mean, 500.5, 500.5 * 1.001);
        Assert.InRange(summary.P50, 500, 500.5);
        Assert.InRange(summary.P90, 900, 900.9);
        Assert.InRange(summary.P99, 990, 991);
        Assert.InRange(summary.P999, 999, 1_000);
        Assert.InRange(summary.Max, 1_000, 1_001);
        Assert.Matches(@"^500\.\d / 90\d\.\d / 99\d\.\d / (999|1000)\.\d / 100\d\.\d$", summary.Percentiles());
    }

    [Fact]
    public void A_few_slow_answers_show_in_the_far_tail_not_in_the_median()
    {
        var histogram = Latency.NewHistogram();
        // 0.15 % slow: beyond the 99th percentile, within the 99.9th.
        for (var i = 0; i < 9_985; i++)
        {
            histogram.RecordMicroseconds(2_000);
        }

        for (var i = 0; i < 15; i++)
        {
            histogram.RecordMicroseconds(250_000);
        }

        var summary = histogram.Summarize();
        Assert.Equal((2.0, 2.0, 2.0), (summary.P50, summary.P90, summary.P99));
        Assert.InRange(summary.P999, 250, 250.25);
        Assert.InRange(summary.Max, 250, 250.25);
    }

    [Fact]
    public void Values_outside_the_range_are_clamped_to_it_and_still_counted()
    {
        var histogram = Latency.NewHistogram();

        histogram.RecordMicroseconds(-5);
        histogram.RecordMicroseconds(Latency.HighestMicroseconds * 10);
        histogram.Record(TimeSpan.FromHours(2));

        Assert.Equal(3, histogram.TotalCount);
        Assert.Equal(0, histogram.GetValueAtPercentile(1));
        Assert.InRange(histogram.GetMaxValue(), Latency.HighestMicroseconds, Latency.HighestMicroseconds * 1.001);
    }

    [Fact]
    public void An_empty_histogram_sums_up_to_zeros_and_a_list_of_milliseconds_can_be_summed_up_directly()
    {
        Assert.Equal(new LatencySummary(0, 0, 0, 0, 0, 0, 0), Latency.NewHistogram().Summarize());

        var summary = Latency.Of([12.5, 3.25, 40]);

        Assert.Equal(3, summary.Count);
        Assert.InRange(summary.P50, 12.5, 12.5125);
        Assert.InRange(summary.P90, 40, 40.04);
        Assert.Equal(summary.P90, summary.Max);
    }

    [Fact]
    public async Task Latencies_recorded_by_many_senders_at_once_are_all_counted_and_snapshots_add_up()
    {
        var stats = new LoadStats();
        var senders = Enumerable.Range(0, 8).Select(_ => stats.NewRecorder()).ToArray();

        // While the senders record, snapshots are taken: each sees a growing count and never loses what came before.
        var counts = new List<long>();
        var writing = Task.Run(() => Parallel.For(0, 8, s =>
        {
            for (var i = 1; i <= 20_000; i++)
            {
                senders[s].Record(202, 1, i, i, measured: i % 2 == 0);
            }
        }));
        while (!writing.IsCompleted)
        {
            counts.Add(stats.Snapshot().All.Latency.TotalCount);
        }

        await writing;
        var final = stats.Snapshot();
        Assert.Equal(160_000, final.All.Latency.TotalCount);
        Assert.Equal(80_000, final.Measured.Latency.TotalCount);
        Assert.Equal(counts.Order(), counts);
        Assert.InRange(final.All.Latency.GetMaxValue(), 20_000, 20_020);
        // A snapshot is a copy: recording more does not change one taken before.
        senders[0].Record(202, 1, 5_000_000, 5_000_000, measured: true);
        Assert.Equal(160_000, final.All.Latency.TotalCount);
        Assert.Equal(160_001, stats.Snapshot().All.Latency.TotalCount);
    }
}
