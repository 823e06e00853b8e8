using System.Text.Json;
using MassTransit;
using Npgsql;
using Sensors360.AppHost.Infrastructure;
using Sensors360.Contracts;

namespace Sensors360.IntegrationTests;

/// <summary>Monitor.Worker's consumer and schema, fed through the real broker.</summary>
[Collection(SensorsAppCollection.Name)]
public sealed class HeartbeatStorageTests(SensorsAppFixture fixture) : IAsyncLifetime
{
    static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(60);
    IBusControl? _bus;
    NpgsqlDataSource? _db;

    DistributedApplication App => fixture.App;
    NpgsqlDataSource Db => _db!;

    public async Task InitializeAsync()
    {
        _db = NpgsqlDataSource.Create((await App.GetConnectionStringAsync("sensorsdb"))!);
        _bus = await AppBus.CreateAsync(App);
        await _bus.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _bus!.StopAsync();
        await _db!.DisposeAsync();
    }

    async Task<long[]> RegisterSensorsAsync(int count)
    {
        // The registry API does not exist yet: insert the rows its registration will create.
        await using var command = Db.CreateCommand("""
            WITH registered AS (
                INSERT INTO sensors (tag, labels, created_at, key_hash)
                SELECT $1 || g, '{}'::jsonb, now(), md5($1 || g) || md5(g || $1)
                FROM generate_series(1, $2) g
                RETURNING id)
            INSERT INTO sensor_liveness (sensor_id, heartbeat_count, state, state_since)
            SELECT id, 0, 'new', now() FROM registered
            RETURNING sensor_id
            """);
        command.Parameters.Add(new() { Value = $"storage-{Guid.NewGuid():N}-" });
        command.Parameters.Add(new() { Value = count });
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }

    async Task<long> ScalarAsync(string sql, params object[] values)
    {
        await using var command = Db.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    async Task<long> StoredRowsAsync(long[] sensors) =>
        await ScalarAsync("SELECT count(*) FROM heartbeats WHERE sensor_id = ANY($1)", sensors);

    async Task WaitForRowsAsync(long[] sensors, long expected)
    {
        var reached = await Poll.UntilAsync(async () => await StoredRowsAsync(sensors) >= expected, StorageDeadline);
        Assert.True(reached, $"only {await StoredRowsAsync(sensors)} of {expected} heartbeats were stored within {StorageDeadline}");
    }

    static DateTimeOffset Now => new(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    [Fact]
    public async Task No_index_of_the_liveness_table_covers_a_column_a_heartbeat_changes_so_its_updates_stay_HOT()
    {
        // A heartbeat moves first/last heartbeat, last receipt, count and deadlines; only sensor_id and state may be
        // indexed (state changes on a flip, not on an ordinary heartbeat). Any other indexed column would make every
        // heartbeat's update write a new entry into every index of the table.
        await using var command = Db.CreateCommand("""
            SELECT COALESCE(string_agg(DISTINCT a.attname, ', '), '')
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = 'sensor_liveness'::regclass AND a.attname NOT IN ('sensor_id', 'state')
            """);
        Assert.Equal("", (string)(await command.ExecuteScalarAsync())!);
        await using var expressions = Db.CreateCommand(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'sensor_liveness'::regclass AND (indexprs IS NOT NULL OR indpred IS NOT NULL)");
        Assert.Equal(0L, (long)(await expressions.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Ten_thousand_heartbeats_across_100_sensors_are_stored_once_with_correct_first_last_and_count()
    {
        var sensors = await RegisterSensorsAsync(100);
        var start = Now.AddHours(-2);
        var random = new Random(42);
        // 100 heartbeats per sensor at irregular times, delivered out of order across ten messages.
        var heartbeats = sensors
            .SelectMany(id => Enumerable.Range(0, 100).Select(i => new Heartbeat(id, start.AddSeconds(i * 60 + random.Next(0, 30)), Now)))
            .OrderBy(_ => random.Next())
            .ToList();

        foreach (var chunk in heartbeats.Chunk(1000))
        {
            await _bus!.Publish(new HeartbeatsReceived(Guid.NewGuid(), chunk));
        }
        await WaitForRowsAsync(sensors, 10_000);

        Assert.Equal(10_000, await StoredRowsAsync(sensors));
        await using var command = Db.CreateCommand(
            "SELECT id, first_heartbeat_at, last_heartbeat_at, heartbeat_count, state FROM sensor_status WHERE id = ANY($1)");
        command.Parameters.Add(new() { Value = sensors });
        await using var reader = await command.ExecuteReaderAsync();
        var checkedSensors = 0;
        while (await reader.ReadAsync())
        {
            var own = heartbeats.Where(h => h.SensorId == reader.GetInt64(0)).ToList();
            Assert.Equal(own.Min(h => h.SensorTime), reader.GetFieldValue<DateTimeOffset>(1));
            Assert.Equal(own.Max(h => h.SensorTime), reader.GetFieldValue<DateTimeOffset>(2));
            Assert.Equal(own.Count, reader.GetInt64(3));
            // Heard, so no longer new; the fixture's seconds-long thresholds may already have made it late or down.
            Assert.Contains(reader.GetString(4), new[] { "up", "late", "down" });
            checkedSensors++;
        }
        Assert.Equal(100, checkedSensors);
        Assert.Equal(100, await ScalarAsync(
            "SELECT count(*) FROM sensor_state_changes WHERE sensor_id = ANY($1) AND from_state = 'new' AND to_state = 'up'", sensors));
    }

    [Fact]
    public async Task Hourly_and_daily_roll_ups_match_the_stored_heartbeats_whatever_order_they_came_in()
    {
        var sensors = await RegisterSensorsAsync(20);
        // A threshold of its own for each sensor: gaps beyond 90 s are silences, kept out of the interval sums.
        await ScalarAsync("UPDATE sensors SET stale_after = interval '90 seconds' WHERE id = ANY($1)", sensors);
        // Across yesterday's midnight (UTC), so that the heartbeats fall in two days.
        var start = new DateTimeOffset(Now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-1).AddMinutes(-90);
        var random = new Random(7);
        var heartbeats = sensors
            .SelectMany(id => Enumerable.Range(0, 180)
                .Where(i => i % 37 != 5 && i % 41 != 7)                     // missed beats: gaps of ~2 min and silences
                .Select(i => new Heartbeat(id, start.AddSeconds(i * 60 + random.Next(0, 45)).AddTicks(random.Next(0, 10)), Now)))
            .ToList();
        // In time order in the first messages, then the rest shuffled: the writer adds up the first and rebuilds the hours
        // the late ones land in.
        var inOrder = heartbeats.Where(h => h.SensorTime < start.AddMinutes(100)).OrderBy(h => h.SensorTime).ToList();
        var shuffled = heartbeats.Except(inOrder).OrderBy(_ => random.Next()).ToList();
        foreach (var chunk in inOrder.Chunk(500).Concat(shuffled.Chunk(500)))
        {
            await _bus!.Publish(new HeartbeatsReceived(Guid.NewGuid(), chunk));
        }
        await WaitForRowsAsync(sensors, heartbeats.Count);

        var expected = heartbeats
            .Select(h => (h.SensorId, Time: new DateTime(h.SensorTime.UtcTicks - h.SensorTime.UtcTicks % 10, DateTimeKind.Utc)))
            .GroupBy(h => h.SensorId)
            .SelectMany(sensor =>
            {
                var times = sensor.Select(h => h.Time).Order().ToList();
                return times.Select((t, i) => (sensor.Key, Hour: new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc), t,
                    Gap: i == 0 ? (double?)null : (t - times[i - 1]).TotalSeconds));
            })
            .GroupBy(b => (b.Key, b.Hour))
            .ToDictionary(g => g.Key, g => (
                Beats: g.Count(), First: g.Min(b => b.t), Last: g.Max(b => b.t),
                Gaps: g.Count(b => b.Gap <= 90), GapSum: g.Where(b => b.Gap <= 90).Sum(b => b.Gap!.Value),
                GapSquares: g.Where(b => b.Gap <= 90).Sum(b => b.Gap!.Value * b.Gap.Value),
                Silences: g.Count(b => b.Gap > 90), SilenceSum: g.Where(b => b.Gap > 90).Sum(b => b.Gap!.Value),
                Longest: g.Max(b => b.Gap)));
        Assert.Contains(expected.Values, h => h.Silences > 0);

        await using var command = Db.CreateCommand("""
            SELECT sensor_id, hour, beats, first_at, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum, longest_gap
            FROM heartbeat_hours_all WHERE sensor_id = ANY($1)
            """);
        command.Parameters.Add(new() { Value = sensors });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            var key = (reader.GetInt64(0), reader.GetFieldValue<DateTime>(1));
            Assert.True(expected.TryGetValue(key, out var hour), $"an hour without heartbeats: {key}");
            Assert.Equal((hour.Beats, hour.First, hour.Last, hour.Gaps, hour.Silences),
                (reader.GetInt32(2), reader.GetFieldValue<DateTime>(3), reader.GetFieldValue<DateTime>(4), reader.GetInt32(5), reader.GetInt32(8)));
            Assert.Equal(hour.GapSum, reader.GetDouble(6), 6);
            Assert.Equal(hour.GapSquares, reader.GetDouble(7), 3);
            Assert.Equal(hour.SilenceSum, reader.GetDouble(9), 6);
            Assert.Equal(hour.Longest, reader.IsDBNull(10) ? null : reader.GetDouble(10));
            rows++;
        }
        Assert.Equal(expected.Count, rows);

        // The days hold the sums of their hours.
        var expectedDays = expected.GroupBy(h => (h.Key.Key, h.Key.Hour.Date)).ToDictionary(g => g.Key, g => (
            Beats: g.Sum(h => h.Value.Beats), Last: g.Max(h => h.Value.Last), Gaps: g.Sum(h => h.Value.Gaps),
            Silences: g.Sum(h => h.Value.Silences), GapSum: g.Sum(h => h.Value.GapSum), GapSquares: g.Sum(h => h.Value.GapSquares),
            SilenceSum: g.Sum(h => h.Value.SilenceSum)));
        Assert.Equal(2 * sensors.Length, expectedDays.Count);
        await using var dayCommand = Db.CreateCommand("""
            SELECT sensor_id, day, sum(beats)::int, max(last_at), sum(gaps)::int, sum(gap_sum), sum(gap_sumsq), sum(silences)::int,
                   sum(silence_sum)
            FROM heartbeat_days_all WHERE sensor_id = ANY($1) GROUP BY 1, 2
            """);
        dayCommand.Parameters.Add(new() { Value = sensors });
        await using var days = await dayCommand.ExecuteReaderAsync();
        var dayRows = 0;
        while (await days.ReadAsync())
        {
            var key = (days.GetInt64(0), days.GetFieldValue<DateTime>(1));
            Assert.True(expectedDays.TryGetValue(key, out var day), $"a day without heartbeats: {key}");
            Assert.Equal((day.Beats, day.Last, day.Gaps, day.Silences),
                (days.GetInt32(2), days.GetFieldValue<DateTime>(3), days.GetInt32(4), days.GetInt32(7)));
            Assert.Equal(day.GapSum, days.GetDouble(5), 6);
            Assert.Equal(day.GapSquares, days.GetDouble(6), 3);
            Assert.Equal(day.SilenceSum, days.GetDouble(8), 6);
            dayRows++;
        }
        Assert.Equal(expectedDays.Count, dayRows);

        // Each sensor's newest hour is its hour under way, kept in its liveness row; the tables hold the finished ones.
        Assert.Equal(sensors.Length, await ScalarAsync("""
            SELECT count(*) FROM sensor_liveness l
            WHERE l.sensor_id = ANY($1)
              AND l.hour_start = (SELECT max(h.hour) FROM heartbeat_hours_all h WHERE h.sensor_id = l.sensor_id)
              AND NOT EXISTS (SELECT FROM heartbeat_hours h WHERE h.sensor_id = l.sensor_id AND h.hour >= l.hour_start)
            """, sensors));
    }

    [Fact]
    public async Task A_redelivered_or_repeated_heartbeat_is_stored_once()
    {
        var sensors = await RegisterSensorsAsync(3);
        var at = Now.AddMinutes(-10);
        Heartbeat[] items =
        [
            new(sensors[0], at, Now), new(sensors[0], at, Now),            // repeated within one message
            new(sensors[1], at, Now), new(sensors[1], at.AddSeconds(5), Now),
            new(sensors[2], at, Now),
        ];
        var batch = new HeartbeatsReceived(Guid.NewGuid(), items);

        await _bus!.Publish(batch);
        await _bus.Publish(batch);                                          // as a broker redelivery would
        await _bus.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(sensors[2], at.AddSeconds(9), Now)]));
        await WaitForRowsAsync(sensors, 5);
        // The marker message went last; give any late duplicate the same chance to (wrongly) appear.
        await WaitForRowsAsync([sensors[2]], 2);

        Assert.Equal(5, await StoredRowsAsync(sensors));
        Assert.Equal(5, await ScalarAsync("SELECT sum(heartbeat_count) FROM sensor_liveness WHERE sensor_id = ANY($1)", sensors));
    }

    [Fact]
    public async Task Heartbeats_older_than_the_newest_stored_are_kept_once_beside_newer_ones_in_the_same_message()
    {
        var sensor = (await RegisterSensorsAsync(1))[0];
        var t = Now.AddMinutes(-10);
        await _bus!.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(sensor, t, Now), new(sensor, t.AddSeconds(30), Now)]));
        await WaitForRowsAsync([sensor], 2);

        // One message with a heartbeat between the stored ones, a repeat of each stored one, and a newer one.
        await _bus.Publish(new HeartbeatsReceived(Guid.NewGuid(),
            [new(sensor, t.AddSeconds(30), Now), new(sensor, t.AddSeconds(15), Now), new(sensor, t, Now), new(sensor, t.AddSeconds(45), Now)]));
        await WaitForRowsAsync([sensor], 4);
        // A marker after it: any duplicate the second message let through is stored by then.
        await _bus.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(sensor, t.AddSeconds(60), Now)]));
        await WaitForRowsAsync([sensor], 5);

        Assert.Equal(5, await StoredRowsAsync([sensor]));
        await using var command = Db.CreateCommand(
            "SELECT first_heartbeat_at, last_heartbeat_at, heartbeat_count FROM sensor_liveness WHERE sensor_id = $1");
        command.Parameters.Add(new() { Value = sensor });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(t, reader.GetFieldValue<DateTimeOffset>(0));
        Assert.Equal(t.AddSeconds(60), reader.GetFieldValue<DateTimeOffset>(1));
        Assert.Equal(5, reader.GetInt64(2));
    }

    [Fact]
    public async Task Sensor_times_that_differ_below_a_microsecond_are_one_heartbeat_as_PostgreSQL_stores_them()
    {
        var sensor = (await RegisterSensorsAsync(1))[0];
        var t = Now.AddMinutes(-10);
        await _bus!.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(sensor, t, Now)]));
        await WaitForRowsAsync([sensor], 1);

        // 100 ns and 200 ns after the stored one are that same row once stored; 1.1 and 1.2 µs after it, one new row.
        // Stored apart from them, the newer heartbeat of the same message proves the message was stored, not refused.
        await _bus.Publish(new HeartbeatsReceived(Guid.NewGuid(),
            [new(sensor, t.AddTicks(1), Now), new(sensor, t.AddTicks(2), Now), new(sensor, t.AddTicks(11), Now), new(sensor, t.AddTicks(12), Now),
             new(sensor, t.AddSeconds(2), Now)]));
        await WaitForRowsAsync([sensor], 3);

        Assert.Equal(3, await StoredRowsAsync([sensor]));
        Assert.Equal(3, await ScalarAsync("SELECT heartbeat_count FROM sensor_liveness WHERE sensor_id = $1", sensor));
    }

    [Fact]
    public async Task Daily_partitions_cover_the_retention_window_and_expired_ones_are_dropped()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        static string Partition(DateOnly day) => $"heartbeats_p{day:yyyyMMdd}";
        async Task<bool> ExistsAsync(DateOnly day) =>
            await ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = $1", Partition(day)) == 1;

        Assert.True(await ExistsAsync(today));
        Assert.True(await ExistsAsync(today.AddDays(7)), "partitions should exist 7 days ahead");
        Assert.True(await ExistsAsync(today.AddDays(-90)), "partitions should reach back over the 90-day retention");

        var expired = today.AddDays(-200);
        // As the worker's own login: it can drop only partitions it owns, and in the system only it creates them.
        await using (var worker = NpgsqlDataSource.Create((await App.GetConnectionStringAsync(ServiceAccess.MonitorWorkerDatabase.ResourceName))!))
        await using (var ensure = worker.CreateCommand("SELECT ensure_heartbeat_partitions($1, $1)"))
        {
            ensure.Parameters.Add(new() { Value = expired });
            // Created (the count it returns): reading pg_class afterwards could already find it dropped, since
            // maintenance runs every 2 s here.
            Assert.Equal(1, (int)(await ensure.ExecuteScalarAsync())!);
        }

        var dropped = await Poll.UntilAsync(async () => !await ExistsAsync(expired), TimeSpan.FromSeconds(20));
        Assert.True(dropped, $"{Partition(expired)} is older than the retention and should have been dropped");
        Assert.True(await ExistsAsync(today.AddDays(-90)), "maintenance must keep the partitions inside the retention window");
    }

    [Fact]
    public async Task A_message_that_cannot_be_stored_goes_to_the_error_queue_and_the_rest_keep_flowing()
    {
        var sensors = await RegisterSensorsAsync(1);
        // No partition exists for 1990: the insert fails however often it is retried.
        await _bus!.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(sensors[0], new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero), Now)]));
        await _bus.Publish(new HeartbeatsReceived(Guid.NewGuid(), [new(sensors[0], Now.AddMinutes(-1), Now)]));

        await WaitForRowsAsync(sensors, 1);
        using var management = await App.CreateManagementClientAsync();
        async Task<long> ErrorQueueDepthAsync()
        {
            using var response = await management.GetAsync("/api/queues/%2F/heartbeats_error");
            if (!response.IsSuccessStatusCode)
            {
                return 0;
            }
            using var queue = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return queue.RootElement.TryGetProperty("messages", out var messages) ? messages.GetInt64() : 0;
        }

        Assert.True(await Poll.UntilAsync(async () => await ErrorQueueDepthAsync() >= 1, TimeSpan.FromSeconds(60)),
            "the unstorable message never reached heartbeats_error");
        Assert.Equal(1, await StoredRowsAsync(sensors));
    }
}
