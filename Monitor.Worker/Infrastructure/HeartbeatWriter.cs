using System.Text.Json;
using Microsoft.Extensions.Options;
using Monitor.Worker.Model;
using Npgsql;
using NpgsqlTypes;
using Sensors360.Contracts;

namespace Monitor.Worker.Infrastructure;

/// <summary>
/// The ingest hot path: binary COPY into a per-connection staging table, then one statement that inserts the new
/// rows (duplicates of an already stored sensor + sensor timestamp are dropped), updates each sensor's
/// first/last/count/state, and records state flips — all in one transaction.
/// </summary>
public sealed class HeartbeatWriter(NpgsqlDataSource dataSource, IOptions<MonitorOptions> options)
{
    public sealed record Transition(long SensorId, string Tag, SensorState From, SensorState To, DateTimeOffset At, DateTimeOffset? LastHeartbeatAt)
    {
        public SensorStateChanged ToEvent() => new(SensorId, Tag, From.Name(), To.Name(), At, LastHeartbeatAt);
    }

    public sealed record WriteResult(int Stored, IReadOnlyList<Transition> Transitions);

    internal const string CreateStaging = """
        CREATE TEMP TABLE IF NOT EXISTS heartbeat_staging (
            sensor_id bigint NOT NULL, sensor_time timestamptz NOT NULL, received_at timestamptz NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    // Heartbeats of unknown sensors are ignored (ingestion authenticates every sensor, so there are none in practice).
    // Rows are locked in id order so that concurrent batches touching the same sensors cannot deadlock.
    internal const string Merge = """
        WITH batch AS (
            SELECT DISTINCT ON (h.sensor_id, h.sensor_time) h.sensor_id, h.sensor_time, h.received_at
            FROM heartbeat_staging h
            WHERE EXISTS (SELECT 1 FROM sensors s WHERE s.id = h.sensor_id)
            ORDER BY h.sensor_id, h.sensor_time, h.received_at
        ), inserted AS (
            INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
            SELECT sensor_id, sensor_time, received_at FROM batch
            ON CONFLICT DO NOTHING
            RETURNING sensor_id, sensor_time, received_at
        ), per_sensor AS (
            SELECT sensor_id, min(sensor_time) AS first_time, max(sensor_time) AS last_time,
                   max(received_at) AS last_received, count(*) AS n
            FROM inserted GROUP BY sensor_id
        ), locked AS (
            SELECT s.id, s.state FROM sensors s JOIN per_sensor p ON p.sensor_id = s.id
            ORDER BY s.id FOR UPDATE OF s
        ), updated AS (
            UPDATE sensors s SET
                first_heartbeat_at = LEAST(s.first_heartbeat_at, p.first_time),
                last_heartbeat_at  = GREATEST(s.last_heartbeat_at, p.last_time),
                last_received_at   = GREATEST(s.last_received_at, p.last_received),
                heartbeat_count    = s.heartbeat_count + p.n,
                late_at = GREATEST(s.last_received_at, p.last_received)
                          + COALESCE(s.expected_interval, @default_interval) + COALESCE(s.grace, @default_grace),
                down_at = GREATEST(s.last_received_at, p.last_received) + COALESCE(s.stale_after, @default_stale),
                state       = CASE WHEN s.state = 'retired' THEN s.state ELSE 'up' END,
                state_since = CASE WHEN s.state IN ('up', 'retired') THEN s.state_since ELSE p.last_received END
            FROM per_sensor p, locked l
            WHERE s.id = p.sensor_id AND l.id = s.id
            RETURNING s.id, s.tag, l.state AS from_state, s.state AS to_state, s.state_since, s.last_heartbeat_at
        ), flips AS (
            INSERT INTO sensor_state_changes (sensor_id, from_state, to_state, at)
            SELECT id, from_state, to_state, state_since FROM updated WHERE from_state <> to_state
        )
        SELECT (SELECT count(*) FROM inserted)::int,
               COALESCE((SELECT json_agg(json_build_object(
                   'id', id, 'tag', tag, 'from', from_state, 'to', to_state, 'at', state_since, 'last', last_heartbeat_at))
                   FROM updated WHERE from_state <> to_state), '[]'::json)
        """;

    public async Task<WriteResult> WriteAsync(IReadOnlyCollection<Heartbeat> heartbeats, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var create = new NpgsqlCommand(CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY heartbeat_staging (sensor_id, sensor_time, received_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var heartbeat in heartbeats)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(heartbeat.SensorId, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(heartbeat.SensorTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(heartbeat.ReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        int stored;
        string transitionsJson;
        await using (var merge = new NpgsqlCommand(Merge, connection, transaction))
        {
            merge.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_interval", options.Value.DefaultExpectedInterval));
            merge.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_grace", options.Value.DefaultGrace));
            merge.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_stale", options.Value.DefaultStaleAfter));
            await using var reader = await merge.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            stored = reader.GetInt32(0);
            transitionsJson = reader.GetString(1);
        }

        await transaction.CommitAsync(cancellationToken);
        return new WriteResult(stored, ParseTransitions(transitionsJson));
    }

    /// <summary>Reads the flips a statement returned as a JSON array of {id, tag, from, to, at, last}.</summary>
    internal static List<Transition> ParseTransitions(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(t => new Transition(
            t.GetProperty("id").GetInt64(),
            t.GetProperty("tag").GetString()!,
            Enum.Parse<SensorState>(t.GetProperty("from").GetString()!, true),
            Enum.Parse<SensorState>(t.GetProperty("to").GetString()!, true),
            t.GetProperty("at").GetDateTimeOffset(),
            t.GetProperty("last").ValueKind == JsonValueKind.Null ? null : t.GetProperty("last").GetDateTimeOffset()))];
    }
}
