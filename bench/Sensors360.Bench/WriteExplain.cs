using Npgsql;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Storage;

namespace Sensors360.Bench;

/// <summary>
/// The profile of the consumer's hot path for <paramref name="count"/> new heartbeats of as many distinct sensors:
/// EXPLAIN (ANALYZE, BUFFERS) of its two statements — the lock of the sensors' liveness rows and the bookkeeping
/// update with its flips — built as Monitor.Worker builds them (with the default timings; the heartbeats between them
/// go in by binary COPY), rolled back afterwards.
/// </summary>
public static class WriteExplain
{
    const string Explain = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ";

    public static async Task<string> ExplainAsync(NpgsqlDataSource db, long[] sensorIds, int count, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long[] ids = [.. sensorIds.Take(count).Order()];
        var plan = new System.Text.StringBuilder();
        await using (var explain = HeartbeatWriter.LockCommand(connection, transaction, ids))
        {
            explain.CommandText = Explain + explain.CommandText;
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
        DateTime[] times = [.. Enumerable.Repeat(DateTime.UtcNow, states.Count)];
        var figures = new HeartbeatWriter.SensorFigures([.. ids.Take(states.Count)], [.. states], times, times, times, [.. Enumerable.Repeat(1L, states.Count)]);
        var hours = new HeartbeatHours();
        // Each sensor's heartbeat lands in its hour under way, as nearly all do: no roll-up row is written.
        foreach (var id in figures.SensorIds)
        {
            hours.Begin(HourFigures.Start(times[0]));
            hours.Add(id, times[0], times[0].AddMinutes(-1), TimeSpan.FromMinutes(10).TotalSeconds);
        }
        await using (var explain = HeartbeatWriter.BookkeepingCommand(connection, transaction, new MonitorOptions(), figures, hours))
        {
            explain.CommandText = Explain + explain.CommandText;
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
