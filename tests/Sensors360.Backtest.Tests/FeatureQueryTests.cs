using Npgsql;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Prediction;

namespace Sensors360.Backtest.Tests;

/// <summary>
/// The prediction features of one hand-made sensor, from its hourly roll-ups and at most the hour under way of raw
/// heartbeats, checked against figures worked out by hand.
/// </summary>
public sealed class FeatureQueryTests(ThrowawayPostgres postgres) : IClassFixture<ThrowawayPostgres>
{
    // Half past the hour: the hour under way is 30 minutes old.
    static readonly DateTime At = new(2026, 3, 15, 12, 30, 0, DateTimeKind.Utc);
    static readonly DateTime Hour = new(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_sensor_that_halved_its_cadence_23_hours_ago_shows_it_from_roll_ups_alone()
    {
        await using var db = postgres.CreateDataSource();
        await BacktestDatabase.MigrateAsync(db, default);
        await using var connection = await db.OpenConnectionAsync();
        // Every 10 minutes for 15 days, then every 20 from 23 hours before the hour under way, and one heartbeat after
        // the moment (in the same hour), which must not be seen.
        var times = new List<DateTime>();
        for (var t = Hour.AddDays(-15); t <= Hour.AddHours(-23); t = t.AddMinutes(10))
        {
            times.Add(t);
        }
        for (var t = Hour.AddHours(-23).AddMinutes(20); t <= At.AddMinutes(-5); t = t.AddMinutes(20))
        {
            times.Add(t);
        }
        times.Add(At.AddMinutes(10));
        await ExecuteAsync(connection, $$"""
            SELECT ensure_heartbeat_partitions('{{Hour.AddDays(-16):yyyy-MM-dd}}', '{{Hour.AddDays(1):yyyy-MM-dd}}');
            INSERT INTO sensors (id, tag, labels, created_at, key_hash, expected_interval, stale_after) OVERRIDING SYSTEM VALUE
            VALUES (1, 'hand-made', '{}', '{{times[0]:O}}', repeat('0', 64), interval '600 seconds', interval '1800 seconds');
            INSERT INTO sensor_liveness (sensor_id, heartbeat_count, state, state_since, first_heartbeat_at, last_heartbeat_at)
            VALUES (1, {{times.Count}}, 'up', '{{times[0]:O}}', '{{times[0]:O}}', '{{times[^1]:O}}');
            """);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO heartbeats (sensor_id, sensor_time, received_at) SELECT 1, t, t FROM unnest($1::timestamptz[]) AS t", connection))
        {
            insert.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. times] });
            await insert.ExecuteNonQueryAsync();
        }
        await HeartbeatHours.RebuildAllAsync(connection, null, TimeSpan.FromMinutes(10), default);
        // Only the roll-ups know the past from here on.
        await ExecuteAsync(connection, $"DELETE FROM heartbeats WHERE sensor_time < '{Hour:O}'");

        var window = Assert.Single(await FeatureQuery.RunAsync(
            connection, At, new PredictionOptions(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), SensorSlice.All, default));

        // Recent (36 × 600 s = 6 h): hours 1 to 5 before this one (middles 1 h to 5 h ago) with 3 heartbeats each, and
        // this hour's 2 (12:00, 12:20): 17 heartbeats over 5.5 h, every gap 1,200 s. The last heard was 10 minutes ago.
        Assert.Equal((600.0, 17, 19_800.0, 17, 1200.0, 0.0),
            (window.SilenceSeconds, window.RecentBeats, window.RecentSpanSeconds, window.RecentGaps, window.RecentGapMean, window.RecentGapStdDev));
        // Trend (24 h): hours 1 to 23 (hour 23: one gap of 600 s, two of 1,200) and this one: 71 gaps. Missed, from each
        // piece's sum over the 600 s baseline: 22 × (6 − 3) + (5 − 3) + (4 − 2) = 70.
        Assert.Equal((71, 70.0, 0), (window.TrendGaps, window.TrendMissed, window.Flaps));
        Assert.True(window.TrendSlope > 0, $"the gaps grew, yet the trend slope is {window.TrendSlope}");
        // Baseline: hours 24 to 335 (middles within 14 days), 6 gaps of 600 s each.
        Assert.Equal((312 * 6, 600.0, 0.0), (window.BaselineGaps, window.BaselineMean, window.BaselineStdDev));

        var features = FeatureMath.From(window, new PredictionOptions());
        Assert.Equal(19_800.0 / 17 / 600, features.IntervalRatio, precision: 12);
        Assert.Equal(70.0 / 141, features.MissedRatio, precision: 12);
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
