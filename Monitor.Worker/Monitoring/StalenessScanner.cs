using Microsoft.Extensions.Options;
using Monitor.Worker.Infrastructure;
using Npgsql;

namespace Monitor.Worker.Monitoring;

/// <summary>
/// Moves sensors whose time has come from up to late and from up/late to down, records each flip, and lists the
/// stale sensors. Walks the partial indexes on <c>late_at</c> / <c>down_at</c>, so its cost follows the number of
/// sensors due, not the fleet or its heartbeats.
/// </summary>
public sealed class StalenessScanner(IOptions<MonitorOptions> options)
{
    public sealed record ScanResult(IReadOnlyList<HeartbeatWriter.Transition> Transitions, int StaleCount, IReadOnlyList<long> StaleIds);

    // Rows are locked in id order, like the heartbeat consumer's, so the two cannot deadlock; a sensor that a
    // concurrent heartbeat made up again is re-checked after the lock and skipped. The candidates come from the two
    // partial indexes separately: as one OR the planner may walk the primary key for the ORDER BY instead, i.e. the
    // whole fleet (1.2 s at a million sensors).
    const string Transition = """
        WITH candidates AS (
            SELECT id FROM sensors WHERE state = 'up' AND late_at <= @now
            UNION
            SELECT id FROM sensors WHERE state IN ('up', 'late') AND down_at <= @now
        ), due AS (
            SELECT s.id, s.state AS from_state, CASE WHEN s.down_at <= @now THEN 'down' ELSE 'late' END AS to_state
            FROM sensors s JOIN candidates c ON c.id = s.id
            WHERE (s.state = 'up' AND s.late_at <= @now) OR (s.state IN ('up', 'late') AND s.down_at <= @now)
            ORDER BY s.id
            FOR UPDATE OF s
        ), updated AS (
            UPDATE sensors s SET state = d.to_state, state_since = @now
            FROM due d
            WHERE s.id = d.id AND s.state <> d.to_state
            RETURNING s.id, s.tag, d.from_state, s.state AS to_state, s.last_heartbeat_at
        ), flips AS (
            INSERT INTO sensor_state_changes (sensor_id, from_state, to_state, at)
            SELECT id, from_state, to_state, @now FROM updated
        )
        SELECT COALESCE(json_agg(json_build_object('id', id, 'tag', tag, 'from', from_state, 'to', to_state, 'at', @now, 'last', last_heartbeat_at)), '[]'::json)
        FROM updated
        """;

    // Stale: not retired and silent (or, never heard, registered) longer than its threshold. Heard sensors are found
    // through down_at's index, never-heard ones through the state index. The first ones, in the order they became
    // stale, walk those indexes and stop; the count reads index entries only; both in one statement, one snapshot.
    // (One query with count(*) OVER () sorted every stale sensor: 250 ms for 50,000.)
    const string Stale = """
        SELECT (SELECT count(*) FROM sensors WHERE retired_at IS NULL AND down_at < @now)
             + (SELECT count(*) FROM sensors WHERE state = 'new' AND created_at + COALESCE(stale_after, @stale) < @now),
               ARRAY(
                   SELECT id FROM (
                       (SELECT id, down_at AS stale_since FROM sensors WHERE retired_at IS NULL AND down_at < @now
                        ORDER BY down_at, id LIMIT @limit)
                       UNION ALL
                       (SELECT id, created_at + COALESCE(stale_after, @stale) FROM sensors
                        WHERE state = 'new' AND created_at + COALESCE(stale_after, @stale) < @now
                        ORDER BY 2, id LIMIT @limit)
                   ) stale
                   ORDER BY stale_since, id
                   LIMIT @limit)
        """;

    // Deadlines are stored when a heartbeat arrives, from the defaults of that moment. After an upgrade or a change of
    // the default timings they are recomputed, in batches, so that no long transaction holds the sensors' rows.
    const string Realign = """
        WITH batch AS (
            SELECT id FROM sensors
            WHERE last_received_at IS NOT NULL AND (
                late_at IS DISTINCT FROM last_received_at + COALESCE(expected_interval, @interval) + COALESCE(grace, @grace)
                OR down_at IS DISTINCT FROM last_received_at + COALESCE(stale_after, @stale))
            ORDER BY id
            LIMIT 10000
            FOR UPDATE SKIP LOCKED
        )
        UPDATE sensors s SET
            late_at = s.last_received_at + COALESCE(s.expected_interval, @interval) + COALESCE(s.grace, @grace),
            down_at = s.last_received_at + COALESCE(s.stale_after, @stale)
        FROM batch WHERE s.id = batch.id
        """;

    /// <returns>How many sensors' deadlines changed.</returns>
    public async Task<long> RealignDeadlinesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        long total = 0;
        int changed;
        do
        {
            await using var command = new NpgsqlCommand(Realign, connection);
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("interval", options.Value.DefaultExpectedInterval));
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("grace", options.Value.DefaultGrace));
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("stale", options.Value.DefaultStaleAfter));
            changed = await command.ExecuteNonQueryAsync(cancellationToken);
            total += changed;
        }
        while (changed > 0);
        return total;
    }

    public async Task<ScanResult> ScanAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<HeartbeatWriter.Transition> transitions;
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var command = new NpgsqlCommand(Transition, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            var json = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            await transaction.CommitAsync(cancellationToken);
            transitions = HeartbeatWriter.ParseTransitions(json);
        }

        await using var stale = new NpgsqlCommand(Stale, connection);
        stale.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        stale.Parameters.Add(new NpgsqlParameter<TimeSpan>("stale", options.Value.DefaultStaleAfter));
        stale.Parameters.Add(new NpgsqlParameter<int>("limit", options.Value.StaleIdsPerMessage));
        await using var reader = await stale.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var count = (int)reader.GetInt64(0);
        var ids = reader.GetFieldValue<long[]>(1);
        return new ScanResult(transitions, count, ids);
    }
}
