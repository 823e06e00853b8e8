using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Monitor.Worker.Monitoring;
using Monitor.Worker.Outbox;
using Sensors360.Contracts;

namespace Monitor.Worker.Infrastructure;

/// <summary>
/// The ingest hot path: the heartbeats of many broker messages in one statement and one transaction. New rows are
/// inserted (a sensor + sensor timestamp already stored is dropped: re-sent and redelivered heartbeats count once),
/// each sensor's bookkeeping is updated once per batch in <c>sensor_liveness</c> (HOT updates: no index there covers
/// a column a heartbeat changes), and every state flip is recorded with its outbox event. The statement is prepared
/// once per connection: planning it cost more than running it for the small groups of a lightly loaded worker.
/// </summary>
public sealed class HeartbeatWriter(NpgsqlDataSource dataSource, IOptions<MonitorOptions> options, OutboxSignal outbox)
{
    public sealed record WriteResult(int Stored, int Flips);

    // Heartbeats of unknown sensors are ignored (ingestion authenticates every sensor, so there are none in practice).
    // The batch's liveness rows are locked first, in id order, so that concurrent writers touching the same sensors
    // cannot deadlock; that lock also proves each sensor exists, so the rows are looked up once per sensor, not once
    // per heartbeat and not by a pass over the whole table.
    // Under the lock a sensor's last_heartbeat_at is the newest sensor time stored for it, so a heartbeat after it
    // cannot be a duplicate and is appended without a conflict check: only older ones (re-sent, redelivered, or from
    // a sensor whose clock went back) pay for ON CONFLICT, and dedupe does not get dearer as history grows.
    internal const string Merge = """
        WITH batch AS (
            SELECT DISTINCT ON (h.sensor_id, h.sensor_time) h.sensor_id, h.sensor_time, h.received_at
            FROM unnest(@sensor_ids::bigint[], @sensor_times::timestamptz[], @received::timestamptz[]) AS h(sensor_id, sensor_time, received_at)
            ORDER BY h.sensor_id, h.sensor_time, h.received_at
        ), locked AS (
            SELECT l.sensor_id, l.state, l.last_heartbeat_at FROM sensor_liveness l
            WHERE l.sensor_id IN (SELECT DISTINCT sensor_id FROM batch)
            ORDER BY l.sensor_id FOR UPDATE OF l
        ), appended AS (
            INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
            SELECT b.sensor_id, b.sensor_time, b.received_at FROM batch b JOIN locked k USING (sensor_id)
            WHERE k.last_heartbeat_at IS NULL OR b.sensor_time > k.last_heartbeat_at
            RETURNING sensor_id, sensor_time, received_at
        ), backfilled AS (
            INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
            SELECT b.sensor_id, b.sensor_time, b.received_at FROM batch b JOIN locked k USING (sensor_id)
            WHERE b.sensor_time <= k.last_heartbeat_at
            ON CONFLICT DO NOTHING
            RETURNING sensor_id, sensor_time, received_at
        ), inserted AS (
            SELECT * FROM appended UNION ALL SELECT * FROM backfilled
        ), per_sensor AS (
            SELECT sensor_id, min(sensor_time) AS first_time, max(sensor_time) AS last_time,
                   max(received_at) AS last_received, count(*) AS n
            FROM inserted GROUP BY sensor_id
        ), updated AS (
            UPDATE sensor_liveness l SET
                first_heartbeat_at = LEAST(l.first_heartbeat_at, p.first_time),
                last_heartbeat_at  = GREATEST(l.last_heartbeat_at, p.last_time),
                last_received_at   = GREATEST(l.last_received_at, p.last_received),
                heartbeat_count    = l.heartbeat_count + p.n,
                late_at = GREATEST(l.last_received_at, p.last_received)
                          + COALESCE(s.expected_interval, @default_interval) + COALESCE(s.grace, @default_grace),
                down_at = GREATEST(l.last_received_at, p.last_received) + COALESCE(s.stale_after, @default_stale),
                state       = CASE WHEN l.state = 'retired' THEN l.state ELSE 'up' END,
                state_since = CASE WHEN l.state IN ('up', 'retired') THEN l.state_since ELSE p.last_received END
            FROM per_sensor p, locked k, sensors s
            WHERE l.sensor_id = p.sensor_id AND k.sensor_id = p.sensor_id AND s.id = p.sensor_id
            RETURNING l.sensor_id, k.state AS from_state, l.state AS to_state, l.state_since AS at, l.last_heartbeat_at
        )
        """ + StateFlips.Record + """
        SELECT (SELECT count(*) FROM inserted)::int, (SELECT count(*) FROM events)::int
        """;

    /// <summary>Stores the heartbeats of one or more messages in one transaction.</summary>
    public async Task<WriteResult> WriteAsync(IReadOnlyCollection<Heartbeat> heartbeats, CancellationToken cancellationToken)
    {
        var sensorIds = new long[heartbeats.Count];
        var sensorTimes = new DateTime[heartbeats.Count];
        var received = new DateTime[heartbeats.Count];
        var i = 0;
        foreach (var heartbeat in heartbeats)
        {
            sensorIds[i] = heartbeat.SensorId;
            sensorTimes[i] = heartbeat.SensorTime.UtcDateTime;
            received[i++] = heartbeat.ReceivedAt.UtcDateTime;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var merge = new NpgsqlCommand(Merge, connection);
        merge.Parameters.Add(new NpgsqlParameter<long[]>("sensor_ids", sensorIds));
        merge.Parameters.Add(new NpgsqlParameter<DateTime[]>("sensor_times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = sensorTimes });
        merge.Parameters.Add(new NpgsqlParameter<DateTime[]>("received", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = received });
        merge.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_interval", options.Value.DefaultExpectedInterval));
        merge.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_grace", options.Value.DefaultGrace));
        merge.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_stale", options.Value.DefaultStaleAfter));
        await merge.PrepareAsync(cancellationToken);
        // One statement is one transaction: heartbeats, bookkeeping, flips and their events commit together.
        await using var reader = await merge.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var result = new WriteResult(reader.GetInt32(0), reader.GetInt32(1));
        // Closing reads up to the server's ready-for-query: only then has the implicit transaction committed.
        await reader.CloseAsync();
        if (result.Flips > 0)
        {
            outbox.Notify();
        }
        return result;
    }
}
