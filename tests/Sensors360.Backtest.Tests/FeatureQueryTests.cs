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
        await StoreAsync(connection, 1, times, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));
        // Only the roll-ups know the past from here on.
        await ExecuteAsync(connection, $"DELETE FROM heartbeats WHERE sensor_id = 1 AND sensor_time < '{Hour:O}'");

        var window = Assert.Single(await FeatureQuery.RunAsync(
            connection, At, new PredictionOptions(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), new SensorSlice(1, 1), default));

        // Recent (36 × 600 s = 6 h): hours 1 to 5 before this one (middles 1 h to 5 h ago) with 3 heartbeats each, and
        // this hour's 2 (12:00, 12:20): 17 heartbeats over 5.5 h, every gap 1,200 s. The last heard was 10 minutes ago.
        Assert.Equal((600.0, 17, 19_800.0, 17, 1200.0, 0.0),
            (window.SilenceSeconds, window.RecentBeats, window.RecentSpanSeconds, window.RecentGaps, window.RecentGapMean, window.RecentGapStdDev));
        // Trend (24 h): hours 1 to 23 (hour 23: one gap of 600 s, two of 1,200) and this one: 71 gaps. Missed, from each
        // piece's sum over the 600 s baseline: 22 × (6 − 3) + (5 − 3) + (4 − 2) = 70.
        Assert.Equal((71, 70.0, 0), (window.TrendGaps, window.TrendMissed, window.Flaps));
        Assert.True(window.TrendSlope > 0, $"the gaps grew, yet the trend slope is {window.TrendSlope}");
        // Baseline: hours 24 to 335 (middles within 14 days), 6 gaps of 600 s each.
        Assert.Equal((312 * 6, 600.0, 0.0), (window.BaselineGaps, window.BaselineInterval, window.BaselineStdDev));

        var features = FeatureMath.From(window, new PredictionOptions());
        Assert.Equal(19_800.0 / 17 / 600, features.IntervalRatio, precision: 12);
        Assert.Equal(70.0 / 141, features.MissedRatio, precision: 12);
    }

    [Fact]
    public async Task A_sensor_beating_every_10_s_has_its_windows_under_an_hour_read_exactly_from_the_last_hour_of_heartbeats()
    {
        await using var db = postgres.CreateDataSource();
        await BacktestDatabase.MigrateAsync(db, default);
        await using var connection = await db.OpenConnectionAsync();
        // Five minutes into the hour: every 10 s since 05:00, every 20 s from 11:50:20, one heartbeat after the moment.
        var at = Hour.AddMinutes(5);
        var times = Beats(Hour.AddHours(-7), Hour.AddMinutes(-10), 10);
        times.AddRange(Beats(Hour.AddMinutes(-10).AddSeconds(20), at.AddSeconds(-20), 20));
        times.Add(at.AddSeconds(10));
        await StoreAsync(connection, 2, times, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        await ExecuteAsync(connection, $"DELETE FROM heartbeats WHERE sensor_id = 2 AND sensor_time < '{at.AddHours(-1):O}'");

        var window = Assert.Single(await FeatureQuery.RunAsync(
            connection, at, new PredictionOptions(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), new SensorSlice(2, 2), default));

        // Recent (360 s, after 11:59:00): 11:59:20 to 12:04:40, 17 heartbeats and gaps of 20 s; not the hour under way's 5 minutes.
        Assert.Equal((20.0, 17, 360.0, 17, 20.0, 0.0),
            (window.SilenceSeconds, window.RecentBeats, window.RecentSpanSeconds, window.RecentGaps, window.RecentGapMean, window.RecentGapStdDev));
        // Trend (1,440 s, after 11:41:00, reaching into the hour before): 54 gaps of 10 s and 44 of 20 s, 1,420 s in all,
        // so 142 − 98 = 44 beats missed against the 10 s baseline.
        Assert.Equal((98, 44.0, 0), (window.TrendGaps, window.TrendMissed, window.Flaps));
        Assert.True(window.TrendSlope > 0, $"the gaps grew, yet the trend slope is {window.TrendSlope}");
        // Baseline (5.6 h): from the roll-ups, hours 06:00 to 10:00 (the hour of the trend's start, 11:00, is left out),
        // 360 gaps of 10 s each.
        Assert.Equal((5 * 360, 10.0, 0.0), (window.BaselineGaps, window.BaselineInterval, window.BaselineStdDev));
        Assert.Equal(360.0 / 17 / 10, FeatureMath.From(window, new PredictionOptions()).IntervalRatio, precision: 12);
    }

    [Fact]
    public async Task A_sensor_beating_every_second_has_even_its_baseline_read_exactly_from_raw_heartbeats()
    {
        await using var db = postgres.CreateDataSource();
        await BacktestDatabase.MigrateAsync(db, default);
        await using var connection = await db.OpenConnectionAsync();
        // Every second from 11:00 to 12:02:36, then every 2 s up to 12:04:58; the moment is 12:05.
        var at = Hour.AddMinutes(5);
        var times = Beats(Hour.AddHours(-1), Hour.AddSeconds(156), 1);
        times.AddRange(Beats(Hour.AddSeconds(158), at.AddSeconds(-2), 2));
        await StoreAsync(connection, 3, times, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));

        var window = Assert.Single(await FeatureQuery.RunAsync(
            connection, at, new PredictionOptions(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), new SensorSlice(3, 3), default));

        // Recent (36 s): 12:04:26 to 12:04:58. Trend (144 s, after 12:02:36): 71 gaps of 2 s, 71 beats missed.
        Assert.Equal((17, 36.0, 17, 2.0), (window.RecentBeats, window.RecentSpanSeconds, window.RecentGaps, window.RecentGapMean));
        Assert.Equal((71, 71.0, 0), (window.TrendGaps, window.TrendMissed, window.Flaps));
        // Baseline (2,016 s back, to 12:02:36): the gaps after 11:31:24, 1,872 of 1 s; no whole hour of roll-ups in it.
        Assert.Equal((1872, 1.0, 0.0), (window.BaselineGaps, window.BaselineInterval, window.BaselineStdDev));
    }

    [Fact]
    public async Task A_bad_day_in_the_baseline_does_not_move_its_interval()
    {
        await using var db = postgres.CreateDataSource();
        await BacktestDatabase.MigrateAsync(db, default);
        await using var connection = await db.OpenConnectionAsync();
        // Every 10 minutes for 15 days, but every 20 for the first 12 hours of 8 March, a whole day of the baseline.
        var slow = new DateTime(2026, 3, 8, 0, 0, 0, DateTimeKind.Utc);
        var times = Beats(Hour.AddDays(-15), slow, 600);
        times.AddRange(Beats(slow.AddMinutes(20), slow.AddHours(12), 1200));
        times.AddRange(Beats(slow.AddHours(12).AddMinutes(10), At.AddMinutes(-5), 600));
        await StoreAsync(connection, 4, times, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));

        var window = Assert.Single(await FeatureQuery.RunAsync(
            connection, At, new PredictionOptions(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), new SensorSlice(4, 4), default));

        // The baseline's 12 whole days (2 to 13 March) have mean gaps of 600 s but one: their median is 600 s, where the
        // mean of all its gaps is above it. The sensor beats as usual now, so its interval ratio is 1.
        Assert.Equal(600.0, window.BaselineInterval);
        Assert.True(window.BaselineStdDev > 0);
        Assert.Equal(1.0, FeatureMath.From(window, new PredictionOptions()).IntervalRatio, precision: 2);
    }

    [Fact]
    public async Task A_sensor_that_slowed_down_has_missed_no_heartbeats()
    {
        await using var db = postgres.CreateDataSource();
        await BacktestDatabase.MigrateAsync(db, default);
        await using var connection = await db.OpenConnectionAsync();
        // Every 10 minutes for 15 days, then every 11 from 23 hours before the hour under way: each trend hour holds 5
        // or 6 gaps of 660 s, whose total, 6 × 660 s, is nearer 7 intervals than 6. None of its gaps is a dropped beat.
        var times = Beats(Hour.AddDays(-15), Hour.AddHours(-23), 600);
        times.AddRange(Beats(Hour.AddHours(-23).AddSeconds(660), At.AddMinutes(-5), 660));
        await StoreAsync(connection, 5, times, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));

        var window = Assert.Single(await FeatureQuery.RunAsync(
            connection, At, new PredictionOptions(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), new SensorSlice(5, 5), default));

        Assert.Equal(600.0, window.BaselineInterval);
        Assert.True(window.TrendGaps > 100, $"only {window.TrendGaps} trend gaps");
        Assert.Equal(0.0, window.TrendMissed);
        Assert.True(FeatureMath.From(window, new PredictionOptions()).IntervalRatio > 1.05);
    }

    [Fact]
    public async Task Beats_dropped_in_separate_gaps_of_one_hour_are_each_counted()
    {
        await using var db = postgres.CreateDataSource();
        await BacktestDatabase.MigrateAsync(db, default);
        await using var connection = await db.OpenConnectionAsync();
        // Every 10 minutes for 15 days but 08:10 and 08:40 today: the hour from 08:00 has gaps of 600, 1,200, 600 and
        // 1,200 s. The hour under way drops 12:10 (gaps of 600 and 1,200 s up to 12:20).
        var dropped = new[] { Hour.AddHours(-4).AddMinutes(10), Hour.AddHours(-4).AddMinutes(40), Hour.AddMinutes(10) };
        var times = Beats(Hour.AddDays(-15), At.AddMinutes(-5), 600).Except(dropped).ToList();
        await StoreAsync(connection, 6, times, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));

        var window = Assert.Single(await FeatureQuery.RunAsync(
            connection, At, new PredictionOptions(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), new SensorSlice(6, 6), default));

        // 08:00's hour: the longest gap missed 1, the other three (2,400 s) 4 − 3 = 1; the hour under way 1.
        Assert.Equal(3.0, window.TrendMissed);
    }

    static List<DateTime> Beats(DateTime from, DateTime to, int seconds)
    {
        var times = new List<DateTime>();
        for (var t = from; t <= to; t = t.AddSeconds(seconds))
        {
            times.Add(t);
        }
        return times;
    }

    /// <summary>One sensor, its heartbeats, and their roll-ups as the writer would have kept them.</summary>
    static async Task StoreAsync(NpgsqlConnection connection, long id, List<DateTime> times, TimeSpan interval, TimeSpan staleAfter)
    {
        await ExecuteAsync(connection, $$"""
            SELECT ensure_heartbeat_partitions('{{times[0].AddDays(-1):yyyy-MM-dd}}', '{{times[^1].AddDays(1):yyyy-MM-dd}}');
            INSERT INTO sensors (id, tag, labels, created_at, key_hash, expected_interval, stale_after) OVERRIDING SYSTEM VALUE
            VALUES ({{id}}, 'hand-made-{{id}}', '{}', '{{times[0]:O}}', repeat('{{id}}', 64),
                    interval '{{interval.TotalSeconds}} seconds', interval '{{staleAfter.TotalSeconds}} seconds');
            INSERT INTO sensor_liveness (sensor_id, heartbeat_count, state, state_since, first_heartbeat_at, last_heartbeat_at)
            VALUES ({{id}}, {{times.Count}}, 'up', '{{times[0]:O}}', '{{times[0]:O}}', '{{times[^1]:O}}');
            """);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO heartbeats (sensor_id, sensor_time, received_at) SELECT $2, t, t FROM unnest($1::timestamptz[]) AS t", connection))
        {
            insert.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. times] });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
            await insert.ExecuteNonQueryAsync();
        }
        await HeartbeatHours.RebuildAsync(connection, null, [id], [times[0]], TimeSpan.FromMinutes(10), default);
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
