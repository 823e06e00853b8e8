using Sensors360.Backtest;
using Sensors360.History;

namespace Sensors360.Backtest.Tests;

public sealed class CalibrationTests
{
    static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static DateTimeOffset Day(double d) => Day0.AddDays(d);

    static FleetDeath Truth(long id, double deathDay) => new(id, Day(deathDay), HistoryFailure.Degrading);

    [Fact]
    public void A_score_counts_as_followed_by_failure_when_the_death_is_within_its_7_days_and_only_live_sensors_with_known_7_days_count()
    {
        // Sensor 1 dies on day 10: its day-2 score is 8 days ahead (no), day 5 and day 8 are within 7 days (yes).
        // Its day-10.5 score, on a sensor already dead (not yet stale), is left out. Sensor 2 lives on; its day-25 score
        // is left out too, the history ending on day 30 before its 7 days do.
        var series = new Dictionary<long, List<(DateTimeOffset, double)>>
        {
            [1] = [(Day(2), 0.1), (Day(5), 0.6), (Day(8), 0.9), (Day(10.5), 0.95)],
            [2] = [(Day(2), 0.1), (Day(5), 0.2), (Day(8), 0.05), (Day(25), 0.3)],
        };

        var c = Calibration.Of(series, [Truth(1, 10), Truth(2, 100)], Day(30));

        Assert.Equal((6, 2), (c.Scores, c.Failures));
        // (0.1² + 0.4² + 0.1² + 0.1² + 0.2² + 0.05²) / 6 = 0.2325 / 6; the base rate 1/3 scores 1/3 × 2/3.
        Assert.Equal(0.03875, c.Brier, 12);
        Assert.Equal(2.0 / 9, c.BaseRateBrier, 12);
        Assert.Equal(6, c.Deciles.Sum(d => d.Scores));
    }

    [Fact]
    public void Deciles_rank_the_scores_and_set_what_was_predicted_beside_what_happened()
    {
        // Twenty sensors scored once on day 1 with risks 0.05, 0.10 … 1.00; the four riskiest die on day 3.
        var series = Enumerable.Range(1, 20).ToDictionary(i => (long)i, i => new List<(DateTimeOffset, double)> { (Day(1), i / 20.0) });
        var truth = Enumerable.Range(1, 20).Select(i => Truth(i, i > 16 ? 3 : 100)).ToList();

        var c = Calibration.Of(series, truth, Day(30));

        Assert.Equal(10, c.Deciles.Count);
        Assert.All(c.Deciles, d => Assert.Equal(2, d.Scores));
        Assert.Equal(new[] { 0.075, 0.175, 0.275, 0.375, 0.475, 0.575, 0.675, 0.775, 0.875, 0.975 }, c.Deciles.Select(d => Math.Round(d.MeanRisk, 12)).ToArray());
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 0, 0, 1.0, 1.0 }, c.Deciles.Select(d => d.ObservedRate).ToArray());
        Assert.Equal((0.05, 0.1), (c.Deciles[0].LowestRisk, c.Deciles[0].HighestRisk));
        Assert.Equal((0.95, 1.0), (c.Deciles[9].LowestRisk, c.Deciles[9].HighestRisk));
        // Ranked perfectly but overstated: Σ(i/20)² for i ≤ 16 is 3.74, Σ(1 − i/20)² for i > 16 is 0.035; over 20
        // that is 0.18875, worse than the 0.2 × 0.8 = 0.16 of saying 20 % for everyone.
        Assert.Equal(0.18875, c.Brier, 12);
        Assert.Equal(0.16, c.BaseRateBrier, 12);
    }
}
