namespace Sensors360.Monitoring.Analytics;

/// <summary>How regularly sensors report: time between consecutive heartbeats, on the sensor's clock.</summary>
public static class Intervals
{
    /// <summary>(Last − First) / (Count − 1) in seconds; null below two heartbeats.</summary>
    public static double? MeanSeconds(HeartbeatSummary sensor) =>
        Span(sensor) is { } span ? TicksToSeconds(span.Ticks) / (sensor.Count - 1) : null;

    /// <summary>
    /// Σ(Last − First) / Σ(Count − 1) over sensors with at least two heartbeats, in seconds: every gap in the fleet
    /// weighs the same, so a chatty sensor counts for more than a quiet one. Null when no sensor qualifies.
    /// </summary>
    public static double? FleetMeanSeconds(IEnumerable<HeartbeatSummary> sensors)
    {
        // 90 days of ticks times a million sensors overflows a long.
        Int128 spanTicks = 0;
        Int128 gaps = 0;
        foreach (var sensor in sensors)
        {
            if (Span(sensor) is { } span)
            {
                spanTicks += span.Ticks;
                gaps += sensor.Count - 1;
            }
        }

        return gaps == 0 ? null : (double)spanTicks / TimeSpan.TicksPerSecond / (double)gaps;
    }

    /// <summary>
    /// p50 and p95 of the gaps between consecutive distinct timestamps, interpolated between closest ranks like
    /// PostgreSQL's <c>percentile_cont</c>. Order and duplicates in <paramref name="times"/> do not matter.
    /// </summary>
    public static IntervalPercentiles Percentiles(IReadOnlyList<DateTimeOffset> times)
    {
        var ticks = new long[times.Count];
        for (var i = 0; i < ticks.Length; i++)
        {
            ticks[i] = times[i].UtcTicks;
        }

        Array.Sort(ticks);
        var gaps = new List<double>(Math.Max(0, ticks.Length - 1));
        for (var i = 1; i < ticks.Length; i++)
        {
            if (ticks[i] != ticks[i - 1])
            {
                gaps.Add(TicksToSeconds(ticks[i] - ticks[i - 1]));
            }
        }

        if (gaps.Count == 0)
        {
            return new IntervalPercentiles(null, null);
        }

        gaps.Sort();
        return new IntervalPercentiles(Interpolated(gaps, 0.50), Interpolated(gaps, 0.95));
    }

    private static double Interpolated(List<double> sorted, double fraction)
    {
        var position = fraction * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    /// <summary>Null unless the summary holds two or more heartbeats. Swapped bounds still give a positive span.</summary>
    private static TimeSpan? Span(HeartbeatSummary sensor) =>
        sensor is { Count: >= 2, First: { } first, Last: { } last } ? (last - first).Duration() : null;

    private static double TicksToSeconds(long ticks) => (double)ticks / TimeSpan.TicksPerSecond;
}
