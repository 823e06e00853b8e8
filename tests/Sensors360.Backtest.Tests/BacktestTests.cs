using Monitor.Worker;
using Monitor.Worker.Prediction;
using Sensors360.Simulator.History;

namespace Sensors360.Backtest.Tests;

/// <summary>
/// The small fixed-seed backtest of docs/predictive-maintenance.md: a 200-slot fleet, 60 days ending 2026-06-01, seed
/// 42, generated into a real PostgreSQL and replayed through the model with the shipped settings.
/// </summary>
public sealed class BacktestTests(ThrowawayPostgres postgres) : IClassFixture<ThrowawayPostgres>
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
            var truth = TruthFile.Read(summary.TruthPath);
            var options = new BacktestOptions();
            var result = await Backtester.RunAsync(db, truth, options, new PredictionOptions(), new MonitorOptions(), null, default);
            var inUse = result.Thresholds.Single(t => t.Threshold == result.ThresholdInUse);

            Assert.Equal(Expected, (inUse.Alerts, inUse.RightAlerts, inUse.Deaths, inUse.Predicted, inUse.DegradingPredicted, inUse.DegradingDeaths));
            Assert.Equal(ExpectedMedianLeadHours, Math.Round(inUse.MedianLeadHours ?? -1));
            Assert.True(inUse.Precision >= 0.8 && inUse.Recall >= 0.8, BacktestReport.Format(result, options));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // The table in docs/predictive-maintenance.md ("small fixed-seed run").
    static readonly (int, int, int, int, int, int) Expected = (0, 0, 0, 0, 0, 0);
    const double ExpectedMedianLeadHours = 0;
}
