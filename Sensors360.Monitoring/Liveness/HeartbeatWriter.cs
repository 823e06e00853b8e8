using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Sensors360.Contracts;

namespace Sensors360.Monitoring.Liveness;

/// <summary>
/// The ingest hot path: the heartbeats of many broker messages in one transaction. The batch's sensors are locked,
/// new heartbeats are appended with a binary COPY (a sensor + sensor timestamp already stored is dropped: re-sent and
/// redelivered heartbeats count once), each sensor's bookkeeping is updated once per batch in <c>sensor_liveness</c>
/// (HOT updates: no index there covers a column a heartbeat changes) along with its hour under way of the roll-ups
/// (<see cref="HeartbeatHours"/>), and every state flip is recorded with its outbox event. Statements are prepared once per connection: planning cost more than running them for the small
/// groups of a lightly loaded worker.
/// </summary>
public sealed class HeartbeatWriter(NpgsqlDataSource dataSource, IOptions<MonitorOptions> options, OutboxSignal outbox)
{
    // In id order, so that concurrent writers touching the same sensors cannot deadlock. A sensor without a row is
    // unknown and its heartbeats are ignored (ingestion authenticates every sensor, so there are none in practice).
    // Under this lock last_heartbeat_at is the newest sensor time stored for the sensor, so a heartbeat after it cannot
    // be a duplicate and is appended without a conflict check: only older ones (re-sent, redelivered, or from a sensor
    // whose clock went back) pay for ON CONFLICT, and dedupe does not get dearer as history grows.
    // The stale threshold tells the roll-ups' silences from ordinary gaps; the hour under way is what they add to.
    public const string Lock = """
        SELECT l.sensor_id, l.state, l.last_heartbeat_at, s.stale_after, l.hour_start, l.hour_beats, l.hour_first_at,
               l.hour_last_at, l.hour_gaps, l.hour_gap_sum, l.hour_gap_sumsq, l.hour_silences, l.hour_silence_sum, l.hour_longest_gap
        FROM sensor_liveness l JOIN sensors s ON s.id = l.sensor_id
        WHERE l.sensor_id = ANY(@sensor_ids) ORDER BY l.sensor_id FOR UPDATE OF l
        """;

    public const string Append = "COPY heartbeats (sensor_id, sensor_time, received_at) FROM STDIN (FORMAT BINARY)";

    public const string Backfill = """
        INSERT INTO heartbeats (sensor_id, sensor_time, received_at)
        SELECT * FROM unnest(@sensor_ids::bigint[], @sensor_times::timestamptz[], @received::timestamptz[])
        ON CONFLICT DO NOTHING
        RETURNING sensor_id, sensor_time, received_at
        """;

    // One row per sensor that stored heartbeats, with its state as locked (it cannot have changed since) and its hour
    // under way after the batch; and the hours the in-order heartbeats finished, with their days.
    public const string Bookkeeping = "WITH " + HeartbeatHours.Upsert + """
        , per_sensor AS (
            SELECT * FROM unnest(@sensor_ids::bigint[], @from_states::text[], @first_times::timestamptz[],
                                 @last_times::timestamptz[], @last_received::timestamptz[], @counts::bigint[],
                                 @under_way_starts::timestamptz[], @under_way_beats::int[], @under_way_firsts::timestamptz[],
                                 @under_way_lasts::timestamptz[], @under_way_gaps::int[], @under_way_gap_sums::float8[],
                                 @under_way_gap_squares::float8[], @under_way_silences::int[], @under_way_silence_sums::float8[],
                                 @under_way_longest::float8[])
                AS p(sensor_id, from_state, first_time, last_time, last_received, n, hour_start, hour_beats, hour_first_at,
                     hour_last_at, hour_gaps, hour_gap_sum, hour_gap_sumsq, hour_silences, hour_silence_sum, hour_longest_gap)
        ), updated AS (
            UPDATE sensor_liveness l SET
                first_heartbeat_at = LEAST(l.first_heartbeat_at, p.first_time),
                last_heartbeat_at  = GREATEST(l.last_heartbeat_at, p.last_time),
                last_received_at   = GREATEST(l.last_received_at, p.last_received),
                heartbeat_count    = l.heartbeat_count + p.n,
                late_at = sensor_late_at(GREATEST(l.last_received_at, p.last_received), s.expected_interval, s.grace,
                                         @default_interval, @default_grace),
                down_at = sensor_down_at(GREATEST(l.last_received_at, p.last_received), s.stale_after, @default_stale),
                state       = sensor_state_after_heartbeat(l.state),
                state_since = CASE WHEN sensor_state_after_heartbeat(l.state) = l.state THEN l.state_since ELSE p.last_received END,
                hour_start = p.hour_start, hour_beats = p.hour_beats, hour_first_at = p.hour_first_at, hour_last_at = p.hour_last_at,
                hour_gaps = p.hour_gaps, hour_gap_sum = p.hour_gap_sum, hour_gap_sumsq = p.hour_gap_sumsq,
                hour_silences = p.hour_silences, hour_silence_sum = p.hour_silence_sum, hour_longest_gap = p.hour_longest_gap
            FROM per_sensor p JOIN sensors s ON s.id = p.sensor_id
            WHERE l.sensor_id = p.sensor_id
            RETURNING l.sensor_id, p.from_state, l.state AS to_state, l.state_since AS at, l.last_heartbeat_at
        )
        """ + StateFlips.Record + """
        SELECT count(*)::int FROM events
        """;

    /// <summary>Stores the heartbeats of one or more messages in one transaction.</summary>
    public async Task WriteAsync(IReadOnlyCollection<Heartbeat> heartbeats, CancellationToken cancellationToken)
    {
        var batch = Distinct(heartbeats);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var locked = await LockAsync(connection, transaction, batch, cancellationToken);

        var appended = new List<Beat>(batch.Length);
        var older = new List<Beat>();
        foreach (var beat in batch)
        {
            if (locked.TryGetValue(beat.SensorId, out var sensor))
            {
                (sensor.LastHeartbeatAt is { } last && beat.SensorTime <= last ? older : appended).Add(beat);
            }
        }
        await AppendAsync(connection, appended, cancellationToken);
        var stored = appended;
        if (older.Count > 0)
        {
            stored = [.. appended, .. await BackfillAsync(connection, transaction, older, cancellationToken)];
            stored.Sort(Beat.Order);
        }
        var outOfOrder = OutOfOrder(stored, locked);
        var flips = stored.Count == 0 ? 0 : await BookkeepAsync(connection, transaction, stored, locked, outOfOrder, cancellationToken);
        if (outOfOrder.Count > 0)
        {
            await HeartbeatHours.RebuildAsync(connection, transaction, [.. outOfOrder.Keys], [.. outOfOrder.Values],
                options.Value.DefaultStaleAfter, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (flips > 0)
        {
            outbox.Notify();
        }
    }

    /// <summary>A heartbeat as stored: UTC times at PostgreSQL's precision.</summary>
    readonly record struct Beat(long SensorId, DateTime SensorTime, DateTime ReceivedAt)
    {
        public static readonly Comparison<Beat> Order = static (x, y) =>
        {
            var order = x.SensorId.CompareTo(y.SensorId);
            order = order != 0 ? order : x.SensorTime.CompareTo(y.SensorTime);
            return order != 0 ? order : x.ReceivedAt.CompareTo(y.ReceivedAt);
        };
    }

    readonly record struct Locked(string State, DateTime? LastHeartbeatAt, double StaleSeconds, HourFigures? HourUnderWay);

    /// <summary>
    /// One heartbeat per sensor and sensor time (the earliest received), in sensor and time order, with times at
    /// PostgreSQL's precision (whole microseconds, as Npgsql truncates them): compared here with what is stored.
    /// </summary>
    static Beat[] Distinct(IReadOnlyCollection<Heartbeat> heartbeats)
    {
        var sorted = new Beat[heartbeats.Count];
        var n = 0;
        foreach (var heartbeat in heartbeats)
        {
            sorted[n++] = new(heartbeat.SensorId, Microseconds(heartbeat.SensorTime), Microseconds(heartbeat.ReceivedAt));
        }
        Array.Sort(sorted, Beat.Order);
        n = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (n == 0 || sorted[n - 1].SensorId != sorted[i].SensorId || sorted[n - 1].SensorTime != sorted[i].SensorTime)
            {
                sorted[n++] = sorted[i];
            }
        }
        return sorted[..n];
    }

    static DateTime Microseconds(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % 10, DateTimeKind.Utc);

    async Task<Dictionary<long, Locked>> LockAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Beat[] batch, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        foreach (var beat in batch)
        {
            if (ids.Count == 0 || ids[^1] != beat.SensorId)
            {
                ids.Add(beat.SensorId);
            }
        }
        await using var command = LockCommand(connection, transaction, [.. ids]);
        await command.PrepareAsync(cancellationToken);
        var locked = new Dictionary<long, Locked>(ids.Count);
        var defaultStale = options.Value.DefaultStaleAfter;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            locked[reader.GetInt64(0)] = new(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTime>(2),
                (reader.IsDBNull(3) ? defaultStale : reader.GetFieldValue<TimeSpan>(3)).TotalSeconds,
                reader.IsDBNull(4) ? null : new HourFigures(reader.GetFieldValue<DateTime>(4), reader.GetInt32(5),
                    reader.GetFieldValue<DateTime>(6), reader.GetFieldValue<DateTime>(7), reader.GetInt32(8), reader.GetDouble(9),
                    reader.GetDouble(10), reader.GetInt32(11), reader.GetDouble(12), reader.IsDBNull(13) ? null : reader.GetDouble(13)));
        }
        return locked;
    }

    static async Task AppendAsync(NpgsqlConnection connection, List<Beat> beats, CancellationToken cancellationToken)
    {
        if (beats.Count == 0)
        {
            return;
        }
        await using var copy = await connection.BeginBinaryImportAsync(Append, cancellationToken);
        foreach (var beat in beats)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(beat.SensorId, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(beat.SensorTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(beat.ReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    /// <returns>Those of <paramref name="beats"/> that were not stored yet, now stored.</returns>
    static async Task<List<Beat>> BackfillAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<Beat> beats, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Backfill, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long[]>("sensor_ids", [.. beats.Select(b => b.SensorId)]));
        command.Parameters.Add(Timestamps("sensor_times", [.. beats.Select(b => b.SensorTime)]));
        command.Parameters.Add(Timestamps("received", [.. beats.Select(b => b.ReceivedAt)]));
        await command.PrepareAsync(cancellationToken);
        var stored = new List<Beat>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored.Add(new(reader.GetInt64(0), reader.GetFieldValue<DateTime>(1), reader.GetFieldValue<DateTime>(2)));
        }
        return stored;
    }

    /// <param name="stored">In sensor and time order.</param>
    /// <returns>The number of state flips recorded.</returns>
    async Task<int> BookkeepAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<Beat> stored, Dictionary<long, Locked> locked,
        SortedDictionary<long, DateTime> outOfOrder, CancellationToken cancellationToken)
    {
        var (ids, states, firsts, lasts, received, counts) = (new List<long>(), new List<string>(), new List<DateTime>(),
            new List<DateTime>(), new List<DateTime>(), new List<long>());
        var hours = new HeartbeatHours();
        DateTime? previous = null;
        foreach (var beat in stored)
        {
            var sensor = locked[beat.SensorId];
            var sameSensor = ids.Count > 0 && ids[^1] == beat.SensorId;
            if (sameSensor)
            {
                (lasts[^1], counts[^1]) = (beat.SensorTime, counts[^1] + 1);
                received[^1] = beat.ReceivedAt > received[^1] ? beat.ReceivedAt : received[^1];
            }
            else
            {
                ids.Add(beat.SensorId);
                states.Add(sensor.State);
                firsts.Add(beat.SensorTime);
                lasts.Add(beat.SensorTime);
                received.Add(beat.ReceivedAt);
                counts.Add(1);
                hours.Begin(sensor.HourUnderWay);
            }
            // A sensor with heartbeats out of order keeps its hour under way as it was: the rebuild redoes it.
            if (!outOfOrder.ContainsKey(beat.SensorId))
            {
                hours.Add(beat.SensorId, beat.SensorTime, sameSensor ? previous : sensor.LastHeartbeatAt, sensor.StaleSeconds);
            }
            previous = beat.SensorTime;
        }
        await using var command = BookkeepingCommand(connection, transaction, options.Value,
            new([.. ids], [.. states], [.. firsts], [.. lasts], [.. received], [.. counts]), hours);
        await command.PrepareAsync(cancellationToken);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Sensors of which a heartbeat older than their newest stored one was stored, with the oldest such: their hours are
    /// rebuilt from it on, as the gaps around it changed.
    /// </summary>
    static SortedDictionary<long, DateTime> OutOfOrder(List<Beat> stored, Dictionary<long, Locked> locked)
    {
        var sensors = new SortedDictionary<long, DateTime>();
        foreach (var beat in stored)
        {
            if (locked[beat.SensorId].LastHeartbeatAt is { } last && beat.SensorTime <= last && !sensors.ContainsKey(beat.SensorId))
            {
                sensors[beat.SensorId] = beat.SensorTime;
            }
        }
        return sensors;
    }

    /// <summary>The batch's sensors to lock, in id order.</summary>
    public static NpgsqlCommand LockCommand(NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] sensorIds)
    {
        var command = new NpgsqlCommand(Lock, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long[]>("sensor_ids", sensorIds));
        return command;
    }

    /// <summary>One entry per sensor that stored heartbeats: its state as locked and the figures of what was stored.</summary>
    public sealed record SensorFigures(
        long[] SensorIds, string[] FromStates, DateTime[] FirstTimes, DateTime[] LastTimes, DateTime[] LastReceived, long[] Counts);

    public static NpgsqlCommand BookkeepingCommand(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, MonitorOptions options, SensorFigures figures, HeartbeatHours hours)
    {
        var command = new NpgsqlCommand(Bookkeeping, connection, transaction);
        hours.AddParameters(command);
        command.Parameters.Add(new NpgsqlParameter<long[]>("sensor_ids", figures.SensorIds));
        command.Parameters.Add(new NpgsqlParameter<string[]>("from_states", figures.FromStates));
        command.Parameters.Add(Timestamps("first_times", figures.FirstTimes));
        command.Parameters.Add(Timestamps("last_times", figures.LastTimes));
        command.Parameters.Add(Timestamps("last_received", figures.LastReceived));
        command.Parameters.Add(new NpgsqlParameter<long[]>("counts", figures.Counts));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_interval", options.DefaultExpectedInterval));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_grace", options.DefaultGrace));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("default_stale", options.DefaultStaleAfter));
        return command;
    }

    static NpgsqlParameter<DateTime[]> Timestamps(string name, DateTime[] values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = values };
}
