using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Sensors360.History;
using Sensors360.Monitoring.Liveness;

namespace Sensors360.Simulator.History;

/// <summary>
/// Writes a planned history into the monitor's (migrated) database in one transaction — the window's heartbeats by
/// binary COPY as they are generated, then every sensor with its state at the end — and the truth file after it.
/// </summary>
public static class HistoryGenerator
{
    /// <exception cref="DatabaseNotEmptyException">The database has sensors and <see cref="HistoryOptions.Replace"/> is false.</exception>
    public static async Task<HistorySummary> GenerateAsync(NpgsqlDataSource db, HistoryOptions options, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var endAt = options.ResolveEndAt(DateTimeOffset.UtcNow);
        var windowStart = endAt - options.Window;

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (!options.Replace && await ScalarAsync<long>(connection, null, "SELECT count(*) FROM sensors", cancellationToken) is > 0 and var existing)
        {
            throw new DatabaseNotEmptyException(existing);
        }

        // In a transaction of its own: the function holds a lock the monitor's own partition upkeep waits for.
        await using (var partitions = new NpgsqlCommand("SELECT ensure_heartbeat_partitions($1, $2)", connection))
        {
            partitions.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = DateOnly.FromDateTime(windowStart.UtcDateTime) });
            partitions.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = DateOnly.FromDateTime(endAt.UtcDateTime) });
            await partitions.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (options.Replace)
        {
            await ExecuteAsync(connection, transaction, "TRUNCATE sensors, heartbeats, heartbeat_hours, heartbeat_days, sensor_state_changes RESTART IDENTITY CASCADE", cancellationToken);
        }

        // The ids are handed out here and the sequence moved past them, so the registry carries on after them.
        var firstId = await ScalarAsync<long>(connection, transaction, "SELECT nextval(pg_get_serial_sequence('sensors', 'id'))", cancellationToken);
        var plan = HistoryPlanner.Plan(options, endAt, firstId);

        var (rows, heartbeats) = await CopyHeartbeatsAsync(connection, plan, options, cancellationToken);
        await CopySensorsAsync(connection, rows, cancellationToken);
        await HeartbeatHours.RebuildAllAsync(connection, transaction, new MonitorOptions().DefaultStaleAfter, cancellationToken);
        await ApplyStateRulesAsync(connection, transaction, plan.EndAt, cancellationToken);
        if (plan.Sensors.Count > 0)
        {
            await ExecuteAsync(connection, transaction,
                $"SELECT setval(pg_get_serial_sequence('sensors', 'id'), {plan.Sensors[^1].Id})", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        // Committed: finish (statistics, truth file) even if cancelled now, so that a cancellation always means nothing was written.
        await ExecuteAsync(connection, null, "ANALYZE sensors, sensor_liveness", CancellationToken.None);

        var truthPath = HistoryTruthCsv.Write(options.DataDirectory, plan.Sensors.Select(s => s.ToTruthRow()));
        var deaths = plan.Sensors.Where(s => s.DeathAt > windowStart && s.DeathAt <= endAt).ToList();
        return new HistorySummary(
            plan.Sensors.Count, heartbeats, deaths.Count, deaths.Count(s => s.Failure == HistoryFailure.Degrading),
            windowStart, endAt, Path.GetFullPath(truthPath), watch.Elapsed);
    }

    private static async Task<(List<SensorRow> Rows, long Heartbeats)> CopyHeartbeatsAsync(
        NpgsqlConnection connection, HistoryPlan plan, HistoryOptions options, CancellationToken cancellationToken)
    {
        var rows = new List<SensorRow>(plan.Sensors.Count);
        long heartbeats = 0;
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY heartbeats (sensor_id, sensor_time, received_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var sensor in plan.Sensors)
        {
            var script = HeartbeatScript.For(sensor, options, plan.WindowStart, plan.EndAt);
            var installedBefore = sensor.InstalledAt < plan.WindowStart;
            var tally = new BeatTally(heardBefore: installedBefore);

            // Before the window only the count is estimated (elapsed / interval), and the last beat of a sensor that
            // died before it is replayed from its final day, without being written.
            long earlier = installedBefore
                ? (long)(((sensor.DeathAt < plan.WindowStart ? sensor.DeathAt : plan.WindowStart) - sensor.InstalledAt) / sensor.Interval)
                : 0;
            if (sensor.DeathAt <= plan.WindowStart)
            {
                var finalDay = sensor.DeathAt - TimeSpan.FromDays(1);
                foreach (var beat in script.Beats(finalDay > sensor.InstalledAt ? finalDay : sensor.InstalledAt, sensor.DeathAt))
                {
                    tally.Add(beat);
                }

                rows.Add(SensorRow.From(sensor, options.Jitter, tally, earlier));
                continue;
            }

            foreach (var beat in script.Beats(installedBefore ? plan.WindowStart : sensor.InstalledAt, plan.EndAt))
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(sensor.Id, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(beat.SensorTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(beat.ReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                tally.Add(beat);
            }

            heartbeats += tally.Count;
            rows.Add(SensorRow.From(sensor, options.Jitter, tally, earlier + tally.Count));
        }

        await copy.CompleteAsync(cancellationToken);
        return (rows, heartbeats);
    }

    private static async Task CopySensorsAsync(NpgsqlConnection connection, List<SensorRow> rows, CancellationToken cancellationToken)
    {
        // COPY writes the given ids into the GENERATED ALWAYS identity column (as INSERT ... OVERRIDING SYSTEM VALUE would).
        await using (var sensors = await connection.BeginBinaryImportAsync("""
            COPY sensors (id, tag, labels, created_at, retired_at, replaced_by, key_hash, expected_interval, grace, stale_after)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var row in rows)
            {
                await sensors.StartRowAsync(cancellationToken);
                await sensors.WriteAsync(row.Id, NpgsqlDbType.Bigint, cancellationToken);
                await sensors.WriteAsync(row.Tag, NpgsqlDbType.Varchar, cancellationToken);
                await sensors.WriteAsync(row.LabelsJson, NpgsqlDbType.Jsonb, cancellationToken);
                await sensors.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteNullableAsync(sensors, row.RetiredAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteNullableAsync(sensors, row.ReplacedBy, NpgsqlDbType.Bigint, cancellationToken);
                await sensors.WriteAsync(row.KeyHash, NpgsqlDbType.Char, cancellationToken);
                await sensors.WriteAsync(row.ExpectedInterval, NpgsqlDbType.Interval, cancellationToken);
                await sensors.WriteAsync(row.Grace, NpgsqlDbType.Interval, cancellationToken);
                await sensors.WriteAsync(row.StaleAfter, NpgsqlDbType.Interval, cancellationToken);
            }
            await sensors.CompleteAsync(cancellationToken);
        }

        await using var liveness = await connection.BeginBinaryImportAsync("""
            COPY sensor_liveness (sensor_id, first_heartbeat_at, last_heartbeat_at, last_received_at, heartbeat_count, state, state_since)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var row in rows)
        {
            await liveness.StartRowAsync(cancellationToken);
            await liveness.WriteAsync(row.Id, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(liveness, row.FirstHeartbeatAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(liveness, row.LastHeartbeatAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(liveness, row.LastReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await liveness.WriteAsync(row.HeartbeatCount, NpgsqlDbType.Bigint, cancellationToken);
            await liveness.WriteAsync(row.State, NpgsqlDbType.Varchar, cancellationToken);
            await liveness.WriteAsync(row.StateSince, NpgsqlDbType.TimestampTz, cancellationToken);
        }
        await liveness.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Deadlines and states at the end by the monitor's own rules, the <c>sensor_*</c> functions of its schema: each
    /// heard sensor's deadlines from its last receipt; up since the first receipt after a gap that made it late; and
    /// late or down, since the deadline it missed, when that passed before the end.
    /// </summary>
    private static async Task ApplyStateRulesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset endAt, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, """
            UPDATE sensor_liveness l SET
                late_at = sensor_late_at(l.last_received_at, s.expected_interval, s.grace, NULL, NULL),
                down_at = sensor_down_at(l.last_received_at, s.stale_after, NULL)
            FROM sensors s
            WHERE s.id = l.sensor_id AND l.last_received_at IS NOT NULL;

            UPDATE sensor_liveness l SET state_since = r.since
            FROM (
                SELECT sensor_id, max(received_at) AS since
                FROM (SELECT h.sensor_id, h.received_at,
                             h.received_at > sensor_late_at(lag(h.received_at) OVER (PARTITION BY h.sensor_id ORDER BY h.sensor_time),
                                                            s.expected_interval, s.grace, NULL, NULL) AS recovered
                      FROM heartbeats h JOIN sensors s ON s.id = h.sensor_id) b
                WHERE recovered
                GROUP BY sensor_id
            ) r
            WHERE l.sensor_id = r.sensor_id AND l.state = 'up';
            """, cancellationToken);

        await using var command = new NpgsqlCommand("""
            UPDATE sensor_liveness SET
                state = sensor_state_as_of(state, late_at, down_at, @end_at),
                state_since = CASE sensor_state_as_of(state, late_at, down_at, @end_at) WHEN 'down' THEN down_at ELSE late_at END
            WHERE sensor_state_as_of(state, late_at, down_at, @end_at) <> state
            """, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("end_at", endAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct
    {
        if (value is { } present)
        {
            await copy.WriteAsync(present, type, cancellationToken);
        }
        else
        {
            await copy.WriteNullAsync(cancellationToken);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
