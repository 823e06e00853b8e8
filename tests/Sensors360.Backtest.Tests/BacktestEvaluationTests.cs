using Sensors360.Backtest;
using Sensors360.History;

namespace Sensors360.Backtest.Tests;

public sealed class BacktestEvaluationTests
{
    static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly BacktestOptions Options = new() { Step = TimeSpan.FromHours(12), MinLead = TimeSpan.FromHours(24), AlertHorizon = TimeSpan.FromDays(30) };

    static DateTimeOffset Day(double d) => Day0.AddDays(d);

    static List<(DateTimeOffset At, double Risk)> Series(double fromDay, params double[] risks) =>
        [.. risks.Select((risk, i) => (Day(fromDay + i * 0.5), risk))];

    static FleetDeath Truth(long id, double deathDay, bool degrading = true) =>
        new(id, Day(deathDay), degrading ? HistoryFailure.Degrading : HistoryFailure.Sudden);

    [Fact]
    public void A_death_flagged_a_day_ahead_is_predicted_with_its_lead_and_the_alert_is_right()
    {
        // Sensor 1 at risk from day 10 and dies on day 12: lead 48 h.
        var series = new Dictionary<long, List<(DateTimeOffset, double)>> { [1] = Series(9, 0.1, 0.2, 0.6, 0.7, 0.9, 0.95) };

        var r = Backtester.Evaluate(0.5, 0.8, series, [Truth(1, 12)], Day(9), Day(20), Options);

        Assert.Equal((1, 1, 1, 1), (r.Alerts, r.RightAlerts, r.Deaths, r.Predicted));
        Assert.Equal(48, r.MedianLeadHours);
        Assert.Equal((1.0, 1.0), (r.Precision, r.Recall));
    }

    [Fact]
    public void A_flag_raised_less_than_the_minimum_lead_before_death_does_not_count_as_predicted()
    {
        // At risk only at 11.5, half a day before death on day 12.
        var series = new Dictionary<long, List<(DateTimeOffset, double)>> { [1] = Series(9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9) };

        var r = Backtester.Evaluate(0.5, 0.8, series, [Truth(1, 12)], Day(9), Day(20), Options);

        Assert.Equal((1, 1, 1, 0), (r.Alerts, r.RightAlerts, r.Deaths, r.Predicted));
        Assert.Null(r.MedianLeadHours);
    }

    [Fact]
    public void Hovering_around_the_threshold_raises_one_alert_but_dropping_well_below_it_rearms()
    {
        // 0.6 → 0.45 (above 0.5 × 0.8 = 0.4: still at risk) → 0.6: one alert; → 0.3 (cleared) → 0.6: a second one.
        var series = new Dictionary<long, List<(DateTimeOffset, double)>> { [2] = Series(1, 0.6, 0.45, 0.6, 0.3, 0.6) };

        var r = Backtester.Evaluate(0.5, 0.8, series, [Truth(2, 300)], Day(1), Day(20), Options);

        Assert.Equal((2, 0), (r.Alerts, r.RightAlerts));
        Assert.Equal(0, r.Precision);
    }

    [Fact]
    public void Deaths_too_early_to_be_flagged_in_time_or_after_the_history_are_not_counted()
    {
        var series = new Dictionary<long, List<(DateTimeOffset, double)>>();
        FleetDeath[] truth = [Truth(1, 9.5), Truth(2, 15, degrading: false), Truth(3, 25)];

        var r = Backtester.Evaluate(0.5, 0.8, series, truth, Day(9), Day(20), Options);

        // Only sensor 2 died at least 24 h after scoring began and before the history ended; it gave no warning.
        Assert.Equal((1, 0, 0, 1, 0), (r.Deaths, r.Predicted, r.DegradingDeaths, r.SuddenDeaths, r.SuddenPredicted));
    }
}
