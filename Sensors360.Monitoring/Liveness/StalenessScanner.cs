using Microsoft.Extensions.Options;
using Npgsql;
using Sensors360.Monitoring.Liveness;

namespace Sensors360.Monitoring.Liveness;

/// <summary>
/// Moves sensors whose deadline has passed from up to late and from up/late to down, records each flip with its
/// outbox event, and lists the stale sensors. Deadlines are judged as of a watermark (the worker's ingest progress),
/// not the clock: while heartbeats wait unread, no sensor is called late or down on a deadline they might have met.
/// </summary>
public sealed class StalenessScanner(IOptions<MonitorOptions> options, OutboxSignal outbox)
{
    public sealed record ScanResult(int Flips, int StaleCount, IReadOnlyList<long> StaleIds);

    // Reads the narrow liveness table from end to end: its deadline columns have no index, which is what keeps every
    // heartbeat's update HOT; a pass over 100,000 sensors took 16–18 ms on a scratch table here, once per scan period
    // (docs/architecture.md). Rows are locked in id order, like the heartbeat writer's, so the two cannot deadlock; a
    // sensor that a concurrent heartbeat made up again no longer matches once the lock is granted (PostgreSQL re-checks
    // the row) and is skipped.
    const string Transition = """
        WITH due AS (
            SELECT l.sensor_id, l.state AS from_state, sensor_state_as_of(l.state, l.late_at, l.down_at, @as_of) AS to_state
            FROM sensor_liveness l
            WHERE sensor_state_as_of(l.state, l.late_at, l.down_at, @as_of) <> l.state
            ORDER BY l.sensor_id
            FOR UPDATE
        ), updated AS (
            UPDATE sensor_liveness l SET state = d.to_state, state_since = @now
            FROM due d
            WHERE l.sensor_id = d.sensor_id AND l.state <> d.to_state
            RETURNING l.sensor_id, d.from_state, l.state AS to_state, @now AS at, l.last_heartbeat_at
        )
        """ + StateFlips.Record + """
        SELECT count(*)::int FROM events
        """;

    // Stale: down as of the watermark, or never heard and registered longer than its threshold. Never-heard sensors are
    // few and found through the state index; heard ones by the same pass as above.
    const string Stale = """
        WITH stale AS (
            SELECT sensor_id, down_at AS stale_since FROM sensor_liveness
            WHERE sensor_state_as_of(state, late_at, down_at, @as_of) = 'down'
            UNION ALL
            SELECT l.sensor_id, sensor_down_at(s.created_at, s.stale_after, @stale)
            FROM sensor_liveness l JOIN sensors s ON s.id = l.sensor_id
            WHERE l.state = 'new' AND sensor_down_at(s.created_at, s.stale_after, @stale) < @as_of
        )
        SELECT (SELECT count(*) FROM stale)::int,
               ARRAY(SELECT sensor_id FROM stale ORDER BY stale_since, sensor_id LIMIT @limit)
        """;

    // Deadlines are stored when a heartbeat arrives, from the defaults of that moment. After an upgrade or a change of
    // the default timings they are recomputed, in batches, so that no long transaction holds the sensors' rows.
    const string Realign = """
        WITH batch AS (
            SELECT l.sensor_id, sensor_late_at(l.last_received_at, s.expected_interval, s.grace, @interval, @grace) AS late_at,
                   sensor_down_at(l.last_received_at, s.stale_after, @stale) AS down_at
            FROM sensor_liveness l JOIN sensors s ON s.id = l.sensor_id
            WHERE l.last_received_at IS NOT NULL AND (
                l.late_at IS DISTINCT FROM sensor_late_at(l.last_received_at, s.expected_interval, s.grace, @interval, @grace)
                OR l.down_at IS DISTINCT FROM sensor_down_at(l.last_received_at, s.stale_after, @stale))
            ORDER BY l.sensor_id
            LIMIT 10000
            FOR UPDATE OF l SKIP LOCKED
        )
        UPDATE sensor_liveness l SET late_at = b.late_at, down_at = b.down_at
        FROM batch b WHERE l.sensor_id = b.sensor_id
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

    /// <param name="now">When the scan runs: the time of each flip.</param>
    /// <param name="asOf">The watermark: deadlines up to it have passed with every heartbeat before it read.</param>
    public async Task<ScanResult> ScanAsync(NpgsqlConnection connection, DateTimeOffset now, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        int flips;
        await using (var command = new NpgsqlCommand(Transition, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("as_of", asOf));
            flips = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        if (flips > 0)
        {
            outbox.Notify();
        }

        await using var stale = new NpgsqlCommand(Stale, connection);
        stale.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("as_of", asOf));
        stale.Parameters.Add(new NpgsqlParameter<TimeSpan>("stale", options.Value.DefaultStaleAfter));
        stale.Parameters.Add(new NpgsqlParameter<int>("limit", options.Value.StaleIdsPerMessage));
        await using var reader = await stale.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ScanResult(flips, reader.GetInt32(0), reader.GetFieldValue<long[]>(1));
    }
}
