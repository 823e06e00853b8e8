using HdrHistogram;

namespace Sensors360.Measurement;

/// <summary>
/// Latencies in microseconds, kept in an HdrHistogram from 1 µs to 1 hour with 3 significant digits: a percentile
/// read back is at most 0.1 % above the true value, whatever its size, in a fixed ~190 KB per histogram. Values
/// outside the range are clamped to it (0 counts as 0 µs, more than an hour as an hour). Every latency figure of the
/// load tool and of the benchmarks goes through here, so they share the range, the precision and the summary.
/// </summary>
public static class Latency
{
    public const long HighestMicroseconds = 3_600_000_000;
    public const int SignificantDigits = 3;

    /// <summary>A histogram for one writer at a time (readers on other threads need <see cref="NewRecorder"/>).</summary>
    public static LongHistogram NewHistogram() => new(1, HighestMicroseconds, SignificantDigits);

    /// <summary>
    /// A recorder any number of threads may write to without locking; a reader takes what was recorded since its
    /// previous call with <see cref="Recorder.GetIntervalHistogram()"/> and adds it to a histogram of its own.
    /// </summary>
    public static Recorder NewRecorder() => HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(HighestMicroseconds).WithPrecisionOf(SignificantDigits)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();

    public static long Clamp(long microseconds) => Math.Clamp(microseconds, 0, HighestMicroseconds);

    public static void RecordMicroseconds(this HistogramBase histogram, long microseconds) => histogram.RecordValue(Clamp(microseconds));

    public static void RecordMicroseconds(this Recorder recorder, long microseconds) => recorder.RecordValue(Clamp(microseconds));

    public static void Record(this HistogramBase histogram, TimeSpan latency) => histogram.RecordMicroseconds(MicrosecondsOf(latency));

    /// <summary>The summary of some latencies given in milliseconds (e.g. a short list of scan times).</summary>
    public static LatencySummary Of(IEnumerable<double> milliseconds)
    {
        var histogram = NewHistogram();
        foreach (var value in milliseconds)
        {
            histogram.RecordMicroseconds((long)Math.Round(value * 1000));
        }

        return histogram.Summarize();
    }

    /// <summary>Count, mean, p50, p90, p99, p99.9 and max, in milliseconds (3 decimals); all 0 when empty.</summary>
    public static LatencySummary Summarize(this HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }

        return new LatencySummary(
            histogram.TotalCount, Ms(histogram.GetMean()), Ms(histogram.GetValueAtPercentile(50)), Ms(histogram.GetValueAtPercentile(90)),
            Ms(histogram.GetValueAtPercentile(99)), Ms(histogram.GetValueAtPercentile(99.9)), Ms(histogram.GetMaxValue()));
    }

    private static long MicrosecondsOf(TimeSpan latency) => latency.Ticks / (TimeSpan.TicksPerMillisecond / 1000);

    private static double Ms(double microseconds) => Math.Round(microseconds / 1000, 3);
}

/// <summary>
/// Latencies in milliseconds. A percentile is the top of the histogram bucket that holds it: at most 0.1 % above the
/// true value, never below it; <see cref="Max"/> likewise.
/// </summary>
public sealed record LatencySummary(long Count, double Mean, double P50, double P90, double P99, double P999, double Max)
{
    /// <summary>"p50 / p90 / p99 / p99.9 / max" in milliseconds with one decimal, e.g. <c>0.2 / 0.5 / 3.5 / 7.1 / 7.5</c>.</summary>
    public string Percentiles() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{P50:F1} / {P90:F1} / {P99:F1} / {P999:F1} / {Max:F1}");
}
