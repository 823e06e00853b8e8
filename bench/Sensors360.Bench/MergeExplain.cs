using Monitor.Worker.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Sensors360.Bench;

/// <summary>
/// The profile of the consumer's hot statement: EXPLAIN (ANALYZE, BUFFERS) of one write of <paramref name="count"/>
/// new heartbeats for as many distinct sensors, exactly as Monitor.Worker runs it, rolled back afterwards.
/// </summary>
public static class MergeExplain
{
    public static async Task<string> ExplainAsync(NpgsqlDataSource db, long[] sensorIds, int count, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = DateTime.UtcNow;
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + HeartbeatWriter.Merge, connection, transaction);
        explain.Parameters.Add(new NpgsqlParameter<long[]>("sensor_ids", [.. Enumerable.Range(0, count).Select(i => sensorIds[i % sensorIds.Length])]));
        explain.Parameters.Add(new NpgsqlParameter<DateTime[]>("sensor_times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            TypedValue = [.. Enumerable.Range(0, count).Select(i => now.AddMilliseconds(-i - 7))],
        });
        explain.Parameters.Add(new NpgsqlParameter<DateTime[]>("received", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            TypedValue = [.. Enumerable.Repeat(now, count)],
        });
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
