using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;
using Sensors360.Monitoring.Liveness;

namespace Monitor.Worker.Storage;

/// <summary>
/// Deletes what would otherwise grow without bound beside the heartbeats (which go with their daily partitions): state
/// changes older than <see cref="MonitorOptions.EffectiveStateChangeRetentionDays"/>, risk models older than
/// <see cref="MonitorOptions.RiskModelRetentionDays"/>, hourly roll-ups older than
/// <see cref="MonitorOptions.EffectiveHourlyRetentionDays"/>, and the risk scores of retired sensors. What may go, and what
/// never does, is decided by the schema's <c>prune_*</c> functions (the Retention migration); this class walks them in
/// batches, each a statement and a transaction of its own, so that no lock is held for longer than one batch.
/// </summary>
public sealed class RowRetention(NpgsqlDataSource dataSource, IOptions<MonitorOptions> options, TimeProvider clock, IMeterFactory meters)
{
    /// <summary>
    /// Rows examined (state changes) or deleted (the others) per statement. Steady state is an hour's worth per pass; the
    /// batches matter after an upgrade or a shortened retention, when months of rows expire at once.
    /// </summary>
    const int BatchSize = 5_000;

    public sealed record PruneResult(
        long StateChanges, long RiskModels, long RetiredSensorRisks, long RiskHistory, long HeartbeatRollUps, TimeSpan Elapsed)
    {
        public long Total => StateChanges + RiskModels + RetiredSensorRisks + RiskHistory + HeartbeatRollUps;
    }

    readonly Counter<long> _deleted = meters.Create(Extensions.ProductMeter).CreateCounter<long>(
        "sensors360.monitor.rows_expired", "{row}", "Rows deleted by retention, by table");

    public async Task<PruneResult> PruneAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stateChanges = await PruneStateChangesAsync(connection, now.AddDays(-settings.EffectiveStateChangeRetentionDays), cancellationToken);
        var riskModels = await PruneUntilDoneAsync(connection, "risk_models", "SELECT prune_risk_models($1, $2)",
            now.AddDays(-settings.RiskModelRetentionDays), cancellationToken);
        var risks = await PruneUntilDoneAsync(connection, "sensor_risks", "SELECT prune_retired_sensor_risks($1)", null, cancellationToken);
        // A sensor's risk over time covers the same past as its heartbeats.
        var history = await PruneUntilDoneAsync(connection, "sensor_risk_history", "SELECT prune_sensor_risk_history($1, $2)",
            now.AddDays(-settings.RetentionDays), cancellationToken);
        var rollUpHorizon = now.AddDays(-settings.EffectiveHourlyRetentionDays);
        var rollUps = await PruneUntilDoneAsync(connection, "heartbeat_hours", "SELECT prune_heartbeat_hours($1, $2)", rollUpHorizon, cancellationToken)
            + await PruneUntilDoneAsync(connection, "heartbeat_days", "SELECT prune_heartbeat_days($1, $2)", rollUpHorizon, cancellationToken);
        return new PruneResult(stateChanges, riskModels, risks, history, rollUps, watch.Elapsed);
    }

    /// <summary>Walks the changes before <paramref name="horizon"/> oldest first, each batch starting where the last one stopped.</summary>
    async Task<long> PruneStateChangesAsync(NpgsqlConnection connection, DateTimeOffset horizon, CancellationToken cancellationToken)
    {
        long total = 0;
        var afterAt = DateTimeOffset.MinValue;
        var afterId = 0L;
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT deleted, last_at, last_id FROM prune_sensor_state_changes($1, $2, $3, $4)", connection);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = horizon });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = afterAt });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = BatchSize });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var deleted = reader.GetInt32(0);
            Count("sensor_state_changes", deleted);
            total += deleted;
            if (reader.IsDBNull(1))
            {
                return total;
            }
            (afterAt, afterId) = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt64(2));
        }
    }

    /// <summary>Calls <paramref name="sql"/> (horizon if any, then batch size; returns rows deleted) until a batch comes back short.</summary>
    async Task<long> PruneUntilDoneAsync(
        NpgsqlConnection connection, string table, string sql, DateTimeOffset? horizon, CancellationToken cancellationToken)
    {
        long total = 0;
        int deleted;
        do
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (horizon is { } before)
            {
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = before });
            }
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = BatchSize });
            deleted = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            Count(table, deleted);
            total += deleted;
        }
        while (deleted == BatchSize);
        return total;
    }

    void Count(string table, int deleted)
    {
        if (deleted > 0)
        {
            _deleted.Add(deleted, new KeyValuePair<string, object?>("table", table));
        }
    }
}
