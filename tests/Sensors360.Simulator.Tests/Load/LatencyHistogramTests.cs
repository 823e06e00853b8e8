using Sensors360.Simulator.Load;

namespace Sensors360.Simulator.Tests.Load;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Small_values_are_exact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 100; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(50, histogram.ValueAtPercentile(50));
        Assert.Equal(95, histogram.ValueAtPercentile(95));
        Assert.Equal(99, histogram.ValueAtPercentile(99));
        Assert.Equal(100, histogram.ValueAtPercentile(100));
        Assert.Equal(100, histogram.MaxValue);
        Assert.Equal(50.5, histogram.Mean);
        Assert.Equal(100, histogram.Count);
    }

    [Theory]
    [InlineData(50, 5_000)]
    [InlineData(95, 9_500)]
    [InlineData(99, 9_900)]
    public void Percentiles_of_a_uniform_spread_are_within_the_bucket_precision_and_never_below(double percentile, long exact)
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 10_000; v++)
        {
            histogram.Record(v);
        }

        var value = histogram.ValueAtPercentile(percentile);

        Assert.InRange(value, exact, exact + (exact / 64));
    }

    [Fact]
    public void A_few_slow_answers_show_in_the_tail_not_the_median()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 985; i++)
        {
            histogram.Record(2_000);
        }

        for (var i = 0; i < 15; i++)
        {
            histogram.Record(250_000);
        }

        Assert.InRange(histogram.ValueAtPercentile(50), 2_000, 2_031);
        Assert.InRange(histogram.ValueAtPercentile(95), 2_000, 2_031);
        Assert.Equal(250_000, histogram.ValueAtPercentile(99));
        Assert.Equal(250_000, histogram.MaxValue);
    }

    [Fact]
    public void Buckets_cover_every_value_once_in_order()
    {
        var previousTop = -1L;
        for (var index = 0; index <= LatencyHistogram.IndexOf(LatencyHistogram.MaxMicroseconds); index++)
        {
            var top = LatencyHistogram.HighestInBucket(index);
            Assert.Equal(index, LatencyHistogram.IndexOf(previousTop + 1));
            Assert.Equal(index, LatencyHistogram.IndexOf(top));
            // At most 1/64 of the value wide.
            Assert.True(top - previousTop <= Math.Max(1, (previousTop + 1) / 64), $"bucket {index} is {top - previousTop} wide at {previousTop + 1}");
            previousTop = top;
        }

        Assert.Equal(LatencyHistogram.MaxMicroseconds, previousTop);
    }

    [Fact]
    public void Histograms_add_up_and_an_empty_one_says_zero()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var sum = new LatencyHistogram();
        Assert.Equal(0, sum.ValueAtPercentile(99));

        a.Record(10);
        b.Record(20);
        b.Record(30);
        a.AddTo(sum);
        b.AddTo(sum);

        Assert.Equal(3, sum.Count);
        Assert.Equal(20, sum.ValueAtPercentile(50));
        Assert.Equal(30, sum.MaxValue);
        Assert.Equal(20, sum.Mean);
    }
}
