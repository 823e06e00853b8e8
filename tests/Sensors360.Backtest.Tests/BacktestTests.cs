using Sensors360.History;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Prediction;
using Sensors360.Simulator.History;
using Xunit.Abstractions;

namespace Sensors360.Backtest.Tests;

/// <summary>
/// The small fixed-seed backtest of docs/predictive-maintenance.md: a 200-slot fleet, 60 days ending 2026-06-01, seed
/// 42, generated into a real PostgreSQL and replayed through the model with the shipped settings.
/// </summary>
public sealed class BacktestTests(ThrowawayPostgres postgres, ITestOutputHelper output) : IClassFixture<ThrowawayPostgres>
{
    public const int Slots = 200;
    public static readonly DateTimeOffset EndAt = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_seed_42_fleet_scores_the_documented_figures()
    {
        await using var db = postgres.CreateDataSource();
        await BacktestDatabase.MigrateAsync(db, default);
        var directory = Directory.CreateTempSubdirectory("sensors360-truth-").FullName;
        try
        {
            var summary = await HistoryGenerator.GenerateAsync(db, new HistoryOptions { Slots = Slots, Seed = 42, EndAt = EndAt, DataDirectory = directory }, default);
            var truth = FleetDeath.From(HistoryTruthCsv.Read(summary.TruthPath));
            var options = new BacktestOptions();
            var result = await Backtester.RunAsync(db, truth, options, new PredictionOptions(), new MonitorOptions(), null, default);
            var inUse = result.Thresholds.Single(t => t.Threshold == result.ThresholdInUse);
            var actual = (inUse.Alerts, inUse.RightAlerts, inUse.Deaths, inUse.Predicted, inUse.DegradingPredicted, inUse.DegradingDeaths,
                Math.Round(inUse.MedianLeadHours ?? -1));

            var report = BacktestReport.Format(result, options);
            output.WriteLine(report);
            Assert.True(actual == Expected, $"Expected {Expected}, got {actual}:\n{report}");
            // The 7-day risk must carry information: it scores better than giving every sensor the fleet's rate.
            Assert.True(result.Calibration.Brier < result.Calibration.BaseRateBrier, report);
            // Whatever the figures, a degrading sensor must not die unannounced.
            Assert.Equal(inUse.DegradingDeaths, inUse.DegradingPredicted);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // docs/predictive-maintenance.md, "Small fixed-seed run": alerts, right alerts, deaths, predicted, degrading
    // predicted, degrading deaths, median lead (hours) at the 0.5 threshold.
    static readonly (int, int, int, int, int, int, double) Expected = (81, 63, 25, 19, 19, 19, 110);
}
