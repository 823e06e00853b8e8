using Monitor.Worker.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Sensors360.Bench;

/// <summary>
/// The profile of the consumer's hot statement: EXPLAIN (ANALYZE, BUFFERS) of one merge of <paramref name="count"/>
/// new heartbeats for as many distinct sensors, exactly as Monitor.Worker runs it, rolled back afterwards.
/// </summary>
public static class MergeExplain
{
    public static async Task<string> ExplainAsync(NpgsqlDataSource db, long[] sensorIds, int count, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(HeartbeatWriter.CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var now = DateTimeOffset.UtcNow;
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY heartbeat_staging (sensor_id, sensor_time, received_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < count; i++)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(sensorIds[i % sensorIds.Length], NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(now.AddMilliseconds(-i - 7), NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + HeartbeatWriter.Merge, connection, transaction);
        explain.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_interval", TimeSpan.FromMinutes(1)));
        explain.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_grace", TimeSpan.FromSeconds(30)));
        explain.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_stale", TimeSpan.FromMinutes(10)));
        var plan = new System.Text.StringBuilder();
        await using (var reader = await explain.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                plan.AppendLine(reader.GetString(0));
            }
        }
        await transaction.RollbackAsync(cancellationToken);
        return plan.ToString();
    }
}
