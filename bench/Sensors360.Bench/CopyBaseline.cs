using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Sensors360.Bench;

/// <summary>
/// The ceiling for durable ingest on this machine: binary COPY of heartbeat rows into the <c>heartbeats</c> table (no
/// HTTP, no broker, no per-sensor bookkeeping), measured over a set time. Taken first, on the idle database, into an
/// empty partition of its own (a far-future day, the same shape as the daily ones: the table's columns and primary
/// key) that is dropped afterwards, so that neither a backlog left by a load scenario nor an index grown by earlier
/// runs weighs on it. One figure, used by every ratio against COPY.
/// </summary>
public static class CopyBaseline
{
    // Outside the worker's naming (heartbeats_pYYYYMMDD), so its partition maintenance neither creates nor drops it.
    const string Partition = "heartbeats_bench_copy";
    static readonly DateTimeOffset Day = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<double> RowsPerSecondAsync(NpgsqlDataSource db, int sensors, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"""
            DROP TABLE IF EXISTS {Partition};
            CREATE TABLE {Partition} PARTITION OF heartbeats
                FOR VALUES FROM ('{Day:yyyy-MM-dd} 00:00:00+00') TO ('{Day.AddDays(1):yyyy-MM-dd} 00:00:00+00');
            CHECKPOINT;
            """, cancellationToken);
        try
        {
            // Distinct (sensor, time) pairs as the load tool makes them: round-robin sensors, each with its own clock.
            // Sensor ids need not exist: heartbeats has no foreign key (the worker's merge checks them itself).
            var rows = 0L;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < duration)
            {
                await using var writer = await connection.BeginBinaryImportAsync(
                    "COPY heartbeats (sensor_id, sensor_time, received_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
                var received = DateTimeOffset.UtcNow;
                for (var i = 0; i < 100_000; i++, rows++)
                {
                    await writer.StartRowAsync(cancellationToken);
                    await writer.WriteAsync(1 + (rows % sensors), NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync(Day.AddMilliseconds(rows / sensors), NpgsqlDbType.TimestampTz, cancellationToken);
                    await writer.WriteAsync(received, NpgsqlDbType.TimestampTz, cancellationToken);
                }
                await writer.CompleteAsync(cancellationToken);
            }
            return rows / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {Partition}", CancellationToken.None);
        }
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
