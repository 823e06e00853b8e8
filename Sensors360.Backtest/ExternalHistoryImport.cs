using Npgsql;
using NpgsqlTypes;
using Sensors360.Contracts;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;

namespace Sensors360.Backtest;

/// <param name="Heartbeats">Heartbeats stored: the file's lines less the repeats of a sensor and time.</param>
/// <param name="IntervalsEstimated">Sensors without an expected interval in the file, given the median gap of their heartbeats.</param>
public sealed record ExternalHistorySummary(int Sensors, long HeartbeatLines, long Heartbeats, int IntervalsEstimated, int Deaths);

/// <summary>
/// Writes an external history (<see cref="ExternalHistoryFiles"/>) into an empty monitor database, as the monitor would
/// have recorded it: the registry, the heartbeats (received when sent) and each sensor's first, last and count. Either
/// all of it is written or, on the first file error, nothing.
/// </summary>
public static class ExternalHistoryImport
{
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(3650);

    public static async Task<(ExternalHistorySummary Summary, IReadOnlyList<FleetDeath> Truth)> ImportAsync(
        NpgsqlDataSource db, string directory, CancellationToken cancellationToken)
    {
        var sensors = ExternalHistoryFiles.ReadSensors(directory);
        var byId = sensors.ToDictionary(s => s.Id);
        var truth = ExternalHistoryFiles.ReadTruth(directory, byId);

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (await ScalarAsync<long>(connection, "SELECT count(*) FROM sensors", cancellationToken) > 0)
        {
            throw new InvalidOperationException("The database already holds sensors: an external history goes into an empty one (eng/backtest.sh starts one).");
        }

        // Heartbeats may come in any order and repeat: they are staged, then stored once each in the day partitions.
        await ExecuteAsync(connection, """
            DROP TABLE IF EXISTS pg_temp.imported_heartbeats;
            CREATE TEMP TABLE imported_heartbeats (sensor_id bigint NOT NULL, sensor_time timestamptz NOT NULL);
            """, cancellationToken);
        var (lines, first, last) = await StageHeartbeatsAsync(connection, directory, byId, cancellationToken);
        if (lines == 0)
        {
            throw new FormatException($"{ExternalHistoryFiles.HeartbeatsFile}: no heartbeats; there is nothing to replay.");
        }
        // A partition per day: a span of centuries (a clock set to 1970) is a mistake, not a history.
        if (last - first > MaxSpan)
        {
            throw new FormatException($"{ExternalHistoryFiles.HeartbeatsFile}: the heartbeats span {first:u} to {last:u}, "
                + $"more than {MaxSpan.TotalDays:0} days; is a clock wrong?");
        }
        await using (var partitions = new NpgsqlCommand("SELECT ensure_heartbeat_partitions($1, $2)", connection))
        {
            partitions.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = DateOnly.FromDateTime(first.UtcDateTime) });
            partitions.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = DateOnly.FromDateTime(last.UtcDateTime) });
            await partitions.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await CopySensorsAsync(connection, sensors, cancellationToken);
        var stored = await ExecuteAsync(connection, """
            INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
            SELECT sensor_id, sensor_time, sensor_time FROM imported_heartbeats ORDER BY sensor_id, sensor_time
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        var estimated = await ExecuteAsync(connection, """
            UPDATE sensors s SET expected_interval = make_interval(secs => least(greatest(round(g.median), 1), 86400))
            FROM (SELECT sensor_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median
                  FROM (SELECT sensor_id, extract(epoch FROM sensor_time - lag(sensor_time) OVER (PARTITION BY sensor_id ORDER BY sensor_time)) AS gap
                        FROM heartbeats) b
                  WHERE gap > 0
                  GROUP BY sensor_id) g
            WHERE s.id = g.sensor_id AND s.expected_interval IS NULL
            """, cancellationToken);
        await ExecuteAsync(connection, "UPDATE sensors SET stale_after = 3 * expected_interval WHERE stale_after IS NULL", cancellationToken);
        await ExecuteAsync(connection, """
            INSERT INTO sensor_liveness (sensor_id, state, state_since, first_heartbeat_at, last_heartbeat_at, last_received_at, heartbeat_count)
            SELECT s.id,
                   CASE WHEN s.retired_at IS NOT NULL THEN 'retired' WHEN h.n IS NULL THEN 'new' ELSE 'up' END,
                   coalesce(s.retired_at, h.last, s.created_at), h.first, h.last, h.last, coalesce(h.n, 0)
            FROM sensors s
            LEFT JOIN (SELECT sensor_id, min(sensor_time) AS first, max(sensor_time) AS last, count(*) AS n FROM heartbeats GROUP BY sensor_id) h
                ON h.sensor_id = s.id;
            SELECT setval(pg_get_serial_sequence('sensors', 'id'), (SELECT max(id) FROM sensors));
            """, cancellationToken);
        // Every sensor has its own stale threshold by now, so the default is never used.
        await HeartbeatHours.RebuildAllAsync(connection, transaction, new MonitorOptions().DefaultStaleAfter, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await ExecuteAsync(connection, "ANALYZE sensors, sensor_liveness, heartbeats", CancellationToken.None);
        return (new ExternalHistorySummary(sensors.Count, lines, stored, estimated, truth.Count), truth);
    }

    static async Task<(long Lines, DateTimeOffset First, DateTimeOffset Last)> StageHeartbeatsAsync(
        NpgsqlConnection connection, string directory, IReadOnlyDictionary<long, ExternalSensor> sensors, CancellationToken cancellationToken)
    {
        long lines = 0;
        DateTimeOffset first = DateTimeOffset.MaxValue, last = DateTimeOffset.MinValue;
        await using var copy = await connection.BeginBinaryImportAsync("COPY imported_heartbeats (sensor_id, sensor_time) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var (id, at) in ExternalHistoryFiles.ReadHeartbeats(directory, sensors))
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
            lines++;
            first = at < first ? at : first;
            last = at > last ? at : last;
        }
        await copy.CompleteAsync(cancellationToken);
        return (lines, first, last);
    }

    static async Task CopySensorsAsync(NpgsqlConnection connection, IReadOnlyList<ExternalSensor> sensors, CancellationToken cancellationToken)
    {
        // A tag and a key hash are made up: the registry needs them, the model never reads them.
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY sensors (id, tag, labels, created_at, retired_at, retirement_reason, key_hash, expected_interval, stale_after)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var sensor in sensors)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(sensor.Id, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync($"imported-{sensor.Id}", NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync("{}", NpgsqlDbType.Jsonb, cancellationToken);
            await copy.WriteAsync(sensor.RegisteredAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteAsync(copy, sensor.RetiredAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteAsync(copy, sensor.RetiredWhy?.Name(), NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(ApiKeys.Hash($"imported-{sensor.Id}"), NpgsqlDbType.Char, cancellationToken);
            await WriteAsync(copy, sensor.ExpectedInterval, NpgsqlDbType.Interval, cancellationToken);
            await WriteAsync(copy, sensor.StaleAfter, NpgsqlDbType.Interval, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    static Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken) where T : struct =>
        value is { } present ? copy.WriteAsync(present, type, cancellationToken) : copy.WriteNullAsync(cancellationToken);

    static Task WriteAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, type, cancellationToken);

    static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
