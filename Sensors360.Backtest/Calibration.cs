using Sensors360.Monitoring.Prediction;

namespace Sensors360.Backtest;

/// <summary>A tenth of the scores, ranked by the 7-day risk they gave, with how many of their sensors failed in those 7 days.</summary>
public sealed record CalibrationDecile(int Decile, double LowestRisk, double HighestRisk, int Scores, double MeanRisk, int Failures)
{
    public double ObservedRate => Scores == 0 ? 0 : (double)Failures / Scores;
}

/// <summary>
/// Whether the 7-day risk means what it says: over every score of a live sensor whose next 7 days lie inside the
/// history, the predicted probability against what happened.
/// </summary>
/// <param name="Brier">Mean of (risk − outcome)², the outcome 1 when the sensor died within 7 days of the score, else 0.</param>
/// <param name="BaseRateBrier">The Brier score of giving every sensor the observed failure rate: a model that knows
/// nothing of sensors scores this, so a useful one scores below it.</param>
public sealed record Calibration(IReadOnlyList<CalibrationDecile> Deciles, int Scores, int Failures, double Brier, double BaseRateBrier)
{
    public static Calibration Of(
        IReadOnlyDictionary<long, List<(DateTimeOffset At, double Risk)>> series, IReadOnlyList<FleetDeath> truth, DateTimeOffset end)
    {
        var deathOf = truth.ToDictionary(t => t.SensorId, t => t.DiedAt);
        var horizon = TimeSpan.FromDays(RiskModel.HorizonDays);
        // A dead sensor is still scored until its silence makes it stale: those scores ask about a sensor already gone.
        var scores = series
            .SelectMany(s => s.Value.Select(r => (Sensor: s.Key, r.At, r.Risk, Death: deathOf.TryGetValue(s.Key, out var death) ? death : (DateTimeOffset?)null)))
            .Where(s => s.At + horizon <= end && !(s.Death <= s.At))
            .OrderBy(s => s.Risk).ThenBy(s => s.Sensor).ThenBy(s => s.At)
            .Select(s => (s.Risk, Failed: s.Death <= s.At + horizon))
            .ToList();
        if (scores.Count == 0)
        {
            return new Calibration([], 0, 0, 0, 0);
        }

        var failures = scores.Count(s => s.Failed);
        var rate = (double)failures / scores.Count;
        var deciles = new List<CalibrationDecile>(10);
        for (var d = 0; d < 10; d++)
        {
            var slice = scores.GetRange(scores.Count * d / 10, scores.Count * (d + 1) / 10 - scores.Count * d / 10);
            if (slice.Count > 0)
            {
                deciles.Add(new CalibrationDecile(d + 1, slice[0].Risk, slice[^1].Risk, slice.Count, slice.Average(s => s.Risk), slice.Count(s => s.Failed)));
            }
        }
        return new Calibration(deciles, scores.Count, failures,
            scores.Average(s => Math.Pow(s.Risk - (s.Failed ? 1 : 0), 2)), rate * (1 - rate));
    }
}
