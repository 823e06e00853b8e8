using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Sensors360.Bench;

/// <summary>
/// The ceiling for durable ingest on this machine: one binary COPY of heartbeat rows straight into the same
/// <c>heartbeats</c> table (no HTTP, no broker, no per-sensor bookkeeping), measured over <paramref name="duration"/>.
/// </summary>
public static class CopyBaseline
{
    public static async Task<double> RowsPerSecondAsync(NpgsqlDataSource db, long[] sensorIds, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // Distinct (sensor, time) pairs as the load tool makes them: round-robin sensors, each with its own clock.
        var start = DateTimeOffset.UtcNow.AddHours(-1);
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
                await writer.WriteAsync(sensorIds[rows % sensorIds.Length], NpgsqlDbType.Bigint, cancellationToken);
                await writer.WriteAsync(start.AddMilliseconds(rows / sensorIds.Length), NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(received, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }
        return rows / watch.Elapsed.TotalSeconds;
    }
}
