namespace Sensors360.Monitoring.Analytics;

/// <summary>The product-limit estimate of how long sensors survive, counting the lives still going (censored).</summary>
public static class KaplanMeier
{
    // Products of many (n − d)/n factors drift by a few ulps; a survival of exactly one half must still count.
    private const double MedianTolerance = 1e-9;

    /// <summary>The normal quantile of a two-sided 95 % interval.</summary>
    private const double Z95 = 1.959963984540054;

    public static SurvivalEstimate Estimate(IEnumerable<Life> lives)
    {
        var (ticks, ended) = Sorted(lives);
        var count = ticks.Length;
        var curve = new List<SurvivalPoint> { new(0, 1, count, 0, 0) };
        var survival = 1.0;
        var areaDays = 0.0;
        var previous = 0L;
        double? median = null;
        var endedTotal = 0;
        var greenwood = 0.0;

        for (var i = 0; i < count;)
        {
            var time = ticks[i];
            var atRisk = count - i;
            var events = 0;
            var censored = 0;
            for (; i < count && ticks[i] == time; i++)
            {
                if (ended[i])
                {
                    events++;
                }
                else
                {
                    censored++;
                }
            }

            areaDays += survival * ToDays(time - previous);
            if (events > 0)
            {
                survival *= (double)(atRisk - events) / atRisk;
                greenwood += atRisk == events ? double.PositiveInfinity : (double)events / (atRisk * (atRisk - events));
                if (median is null && survival <= 0.5 + MedianTolerance)
                {
                    median = ToDays(time);
                }
            }

            curve.Add(Banded(new SurvivalPoint(ToDays(time), survival, atRisk, events, censored), greenwood));
            endedTotal += events;
            previous = time;
        }

        var horizon = count == 0 ? 0 : ToDays(ticks[^1]);
        return new SurvivalEstimate(curve, median, areaDays, horizon, count, endedTotal);
    }

    /// <summary>
    /// The log-log interval: with v = Σ d/(n(n−d)) / ln(S)², S^exp(±z√v). At S = 1 (nothing ended) or S = 0 (nothing
    /// left) there is no spread to estimate, and the band is the point.
    /// </summary>
    private static SurvivalPoint Banded(SurvivalPoint point, double greenwood)
    {
        if (point.Survival is <= 0 or >= 1 || double.IsInfinity(greenwood))
        {
            return point;
        }
        var logSurvival = Math.Log(point.Survival);
        var spread = Math.Exp(Z95 * Math.Sqrt(greenwood / (logSurvival * logSurvival)));
        return point with { Lower = Math.Pow(point.Survival, spread), Upper = Math.Pow(point.Survival, 1 / spread) };
    }

    private static (long[] Ticks, bool[] Ended) Sorted(IEnumerable<Life> lives)
    {
        var list = lives as IReadOnlyCollection<Life> ?? lives.ToList();
        var ticks = new long[list.Count];
        var ended = new bool[list.Count];
        var i = 0;
        foreach (var life in list)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(life.Duration, TimeSpan.Zero, nameof(lives));
            ticks[i] = life.Duration.Ticks;
            ended[i] = life.Ended;
            i++;
        }

        Array.Sort(ticks, ended);
        return (ticks, ended);
    }

    private static double ToDays(long ticks) => (double)ticks / TimeSpan.TicksPerDay;
}
