using Npgsql;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Prediction;

namespace Sensors360.Backtest.Tests;

/// <summary>
/// The hand-written history in ExternalHistory/ (docs/predictive-maintenance.md, "External histories"), imported into a
/// PostgreSQL of the tests' own and replayed daily. Its figures are worked out by hand from the files:
/// <list type="bullet">
/// <item>Heartbeats every day at 00:00 from 2026-01-01 to 01-31; scoring from 01-03 (2 days' warm-up), 29 daily passes.</item>
/// <item>Sensor 2 beats to 01-14, then 01-16 and 01-19, dies on 01-20 (degrading) and is retired on 01-22; sensor 3 beats
/// to 01-25 and dies suddenly that noon; sensor 4 is registered on 01-10 without an interval (its median gap is a day).</item>
/// <item>Calibration takes the passes whose 7 days end by 01-31, 01-03 to 01-24, while the sensor lives: sensor 1 in 22
/// of them, sensor 2 in 17 (dead from 01-20), sensor 3 in 22, sensor 4 in 15 (from 01-10): 76 scores. Followed by a
/// death within 7 days: sensor 2 from 01-13 to 01-19 (7), sensor 3 from 01-19 to 01-24 (6): 13.</item>
/// </list>
/// </summary>
public sealed class ExternalHistoryTests(ThrowawayPostgres postgres) : IClassFixture<ThrowawayPostgres>
{
    static readonly string HistoryDirectory = Path.Combine(AppContext.BaseDirectory, "ExternalHistory");

    static DateTimeOffset January(int day) => new(2026, 1, day, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_history_with_one_bad_line_writes_nothing_and_the_hand_written_one_replays_to_hand_worked_figures()
    {
        await using var db = postgres.CreateDataSource();
        await BacktestDatabase.MigrateAsync(db, default);

        var broken = Directory.CreateTempSubdirectory("sensors360-external-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(HistoryDirectory))
            {
                File.Copy(file, Path.Combine(broken, Path.GetFileName(file)));
            }
            await File.AppendAllTextAsync(Path.Combine(broken, ExternalHistoryFiles.HeartbeatsFile), "9,2026-01-05T00:00:00Z\n");

            var error = await Assert.ThrowsAsync<FormatException>(() => ExternalHistoryImport.ImportAsync(db, broken, default));

            Assert.Equal("heartbeats.csv line 97: sensor 9 is not in sensors.csv.", error.Message);
            Assert.Equal((0L, 0L), (await CountAsync(db, "sensors"), await CountAsync(db, "heartbeats")));
        }
        finally
        {
            Directory.Delete(broken, recursive: true);
        }

        var (summary, truth) = await ExternalHistoryImport.ImportAsync(db, HistoryDirectory, default);

        // 95 heartbeat lines, one of them a repeat; only sensor 4 has no interval in the file.
        Assert.Equal(new ExternalHistorySummary(Sensors: 4, HeartbeatLines: 95, Heartbeats: 94, IntervalsEstimated: 1, Deaths: 2), summary);
        Assert.Equal("86400|259200", await SettingsAsync(db, 4));
        Assert.Equal("86400|259200", await SettingsAsync(db, 3));

        var options = new BacktestOptions { WarmUp = TimeSpan.FromDays(2), Step = TimeSpan.FromDays(1), Refit = TimeSpan.FromDays(1) };
        var result = await Backtester.RunAsync(db, truth, options, new PredictionOptions(), new MonitorOptions(), null, default);

        Assert.Equal((January(1), January(31), January(3)), (result.HistoryStart, result.HistoryEnd, result.ScoredFrom));
        Assert.Equal((29, 4), (result.Passes, result.SensorsScored));
        Assert.All(result.Thresholds, t => Assert.Equal((2, 1, 1), (t.Deaths, t.DegradingDeaths, t.SuddenDeaths)));
        Assert.Equal((76, 13), (result.Calibration.Scores, result.Calibration.Failures));
        Assert.Contains("| decile |", BacktestReport.Format(result, options), StringComparison.Ordinal);
    }

    static async Task<long> CountAsync(NpgsqlDataSource db, string table)
    {
        await using var command = db.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    static async Task<string> SettingsAsync(NpgsqlDataSource db, long sensor)
    {
        await using var command = db.CreateCommand($"SELECT extract(epoch FROM expected_interval)::bigint || '|' || extract(epoch FROM stale_after)::bigint FROM sensors WHERE id = {sensor}");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
