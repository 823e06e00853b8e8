using System.Diagnostics;
using Npgsql;

namespace Sensors360.Bench;

/// <summary>
/// A large fleet written straight into the monitor's tables with SQL: sensors whose state and deadlines
/// agree with their last heartbeat (95 % heard within the last minute and up, 5 % silent for 11–60 min and down), and
/// <c>heartbeatsPerSensor</c> heartbeats each, one a minute, ending at the sensor's last one. All of it as of one
/// moment, the returned <c>AsOf</c>: writing a million sensors takes minutes, and measured against the wall clock
/// the whole fleet would have gone quiet meanwhile.
/// </summary>
public static class FleetGenerator
{
    public static async Task<(long FirstId, long LastId, DateTimeOffset AsOf)> GenerateAsync(NpgsqlDataSource db, int sensors, int heartbeatsPerSensor, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        long first, last;
        var asOf = DateTimeOffset.UtcNow;
        await using (var command = new NpgsqlCommand("""
            WITH fleet AS (
                SELECT g,
                       -- Deterministic spread: every 20th sensor went silent 11..60 min ago, the others 0..60 s ago.
                       CASE WHEN g % 20 = 0 THEN interval '11 minutes' + (g % 2940) * interval '1 second'
                            ELSE (g % 60) * interval '1 second' END AS silence,
                       -- The heard ones are due in a day (their own interval and threshold), the silent ones use the
                       -- defaults (1 min + 30 s grace, 10 min): nobody sends the fleet's heartbeats, and a million
                       -- sensors going quiet during the rest of the run would be a benchmark of its own.
                       CASE WHEN g % 20 = 0 THEN NULL ELSE interval '1 day' END AS timing
                FROM generate_series(1, $1) AS g
            ), registered AS (
                INSERT INTO sensors (tag, labels, created_at, key_hash, expected_interval, stale_after)
                SELECT 'bench-' || g || '-' || $3, jsonb_build_object('site', 'site-' || (g % 50)), $4 - interval '3 days',
                       md5(g::text || $3) || md5($3 || g::text), timing, timing
                FROM fleet
                RETURNING id, tag
            )
            INSERT INTO sensor_liveness (sensor_id, first_heartbeat_at, last_heartbeat_at, last_received_at, heartbeat_count,
                                         state, state_since, late_at, down_at)
            SELECT r.id, $4 - silence - ($2 - 1) * interval '1 minute', $4 - silence, $4 - silence, $2,
                   CASE WHEN timing IS NULL THEN 'down' ELSE 'up' END, $4 - silence,
                   $4 - silence + COALESCE(timing, interval '1 minute') + interval '30 seconds',
                   $4 - silence + COALESCE(timing, interval '10 minutes')
            FROM fleet JOIN registered r ON r.tag = 'bench-' || g || '-' || $3
            RETURNING sensor_id
            """, connection))
        {
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue(sensors);
            command.Parameters.AddWithValue(heartbeatsPerSensor);
            command.Parameters.AddWithValue(Guid.NewGuid().ToString("N")[..8]);
            command.Parameters.AddWithValue(asOf);
            var ids = new List<long>(sensors);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
            (first, last) = (ids.Min(), ids.Max());
        }
        Console.WriteLine($"    {sensors:#,0} sensors in {watch.Elapsed.TotalSeconds:0.0} s");

        // Heartbeats in slices of sensors, so progress shows and no single statement runs for many minutes.
        var slice = Math.Max(1, 2_000_000 / heartbeatsPerSensor);
        for (var from = first; from <= last; from += slice)
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
                SELECT s.sensor_id, s.last_heartbeat_at - k * interval '1 minute', s.last_received_at - k * interval '1 minute'
                FROM sensor_liveness s, generate_series(0, $3 - 1) AS k
                WHERE s.sensor_id BETWEEN $1 AND $2
                """, connection);
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue(from);
            command.Parameters.AddWithValue(Math.Min(last, from + slice - 1));
            command.Parameters.AddWithValue(heartbeatsPerSensor);
            await command.ExecuteNonQueryAsync(cancellationToken);
            Console.Write($"\r    heartbeats: {(double)(Math.Min(last, from + slice - 1) - first + 1) / sensors:P0} ({watch.Elapsed.TotalSeconds:0} s)   ");
        }
        // One statement each: VACUUM refuses to run inside the implicit transaction of a multi-statement command.
        foreach (var statement in new[] { "VACUUM ANALYZE sensors", "VACUUM ANALYZE sensor_liveness", "ANALYZE heartbeats" })
        {
            await using var analyze = new NpgsqlCommand(statement, connection) { CommandTimeout = 0 };
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }
        Console.WriteLine($"\r    {(long)sensors * heartbeatsPerSensor:#,0} heartbeats; fleet ready after {watch.Elapsed.TotalSeconds:0} s");
        return (first, last, asOf);
    }
}
