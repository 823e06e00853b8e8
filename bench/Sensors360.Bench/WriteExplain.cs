using Monitor.Worker.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Sensors360.Bench;

/// <summary>
/// The profile of the consumer's hot path for <paramref name="count"/> new heartbeats of as many distinct sensors:
/// EXPLAIN (ANALYZE, BUFFERS) of its two statements — the lock of the sensors' liveness rows and the bookkeeping
/// update with its flips — exactly as Monitor.Worker runs them (the heartbeats between them go in by binary COPY),
/// rolled back afterwards.
/// </summary>
public static class WriteExplain
{
    public static async Task<string> ExplainAsync(NpgsqlDataSource db, long[] sensorIds, int count, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long[] ids = [.. sensorIds.Take(count).Order()];
        var plan = new System.Text.StringBuilder();
        await using (var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + HeartbeatWriter.Lock, connection, transaction))
        {
            explain.Parameters.Add(new NpgsqlParameter<long[]>("sensor_ids", ids));
            await ReadPlanAsync(explain, plan, cancellationToken);
        }
        var states = new List<string>();
        await using (var read = new NpgsqlCommand("SELECT state FROM sensor_liveness WHERE sensor_id = ANY($1) ORDER BY sensor_id", connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                states.Add(reader.GetString(0));
            }
        }
        var now = DateTime.UtcNow;
        DateTime[] times = [.. Enumerable.Repeat(now, states.Count)];
        await using (var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + HeartbeatWriter.Bookkeeping, connection, transaction))
        {
            explain.Parameters.Add(new NpgsqlParameter<long[]>("sensor_ids", [.. ids.Take(states.Count)]));
            explain.Parameters.Add(new NpgsqlParameter<string[]>("from_states", [.. states]));
            foreach (var name in new[] { "first_times", "last_times", "last_received" })
            {
                explain.Parameters.Add(new NpgsqlParameter<DateTime[]>(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = times });
            }
            explain.Parameters.Add(new NpgsqlParameter<long[]>("counts", [.. Enumerable.Repeat(1L, states.Count)]));
            explain.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_interval", TimeSpan.FromMinutes(1)));
            explain.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_grace", TimeSpan.FromSeconds(30)));
            explain.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_stale", TimeSpan.FromMinutes(10)));
            await ReadPlanAsync(explain, plan, cancellationToken);
        }
        await transaction.RollbackAsync(cancellationToken);
        return plan.ToString();
    }

    static async Task ReadPlanAsync(NpgsqlCommand explain, System.Text.StringBuilder plan, CancellationToken cancellationToken)
    {
        await using var reader = await explain.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            plan.AppendLine(reader.GetString(0));
        }
    }
}
