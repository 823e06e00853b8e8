using Npgsql;

namespace Sensors360.Monitoring.Prediction;

/// <summary>
/// Aggregates every live sensor's heartbeats as of a moment, in one statement. Only what was known then is used
/// (heartbeats up to it, sensors installed and not yet retired), so the backtest can ask about any moment of a history.
/// </summary>
/// <summary>Sensors with ids from <see cref="FirstId"/> to <see cref="LastId"/> whose id is a multiple of <see cref="Step"/>.</summary>
public readonly record struct SensorSlice(long FirstId, long LastId, long Step = 1)
{
    public static readonly SensorSlice All = new(long.MinValue, long.MaxValue);
}

public static class FeatureQuery
{
    // Gaps longer than the stale threshold are silences: counted as flaps, kept out of the interval statistics. The
    // missed count estimates the heartbeats that should have come between two received ones.
    const string Sql = """
        WITH s AS MATERIALIZED (
            SELECT id,
                   extract(epoch FROM coalesce(expected_interval, $2))::float8 AS e,
                   extract(epoch FROM coalesce(stale_after, $3))::float8 AS stale,
                   extract(epoch FROM $1 - first_heartbeat_at)::float8 / 86400 AS age_days
            FROM sensor_status
            WHERE first_heartbeat_at <= $1 AND (retired_at IS NULL OR retired_at > $1)
              AND id BETWEEN $9 AND $10 AND id % $11 = 0
        ), beats AS MATERIALIZED (
            SELECT h.sensor_id, s.e, s.stale,
                   extract(epoch FROM $1 - h.sensor_time)::float8 AS ago,
                   extract(epoch FROM h.sensor_time - lag(h.sensor_time) OVER (PARTITION BY h.sensor_id ORDER BY h.sensor_time))::float8 AS gap
            FROM heartbeats h JOIN s ON s.id = h.sensor_id
            -- The slice's widest window as a bound of its own: an init plan, so PostgreSQL skips at execution the daily
            -- partitions no window of the slice reaches.
            WHERE h.sensor_time > $1 - (SELECT least(max(e) * $6, $7) FROM s) * interval '1 second' AND h.sensor_time <= $1
              AND h.sensor_time > $1 - least($6 * s.e, $7) * interval '1 second'
        ), baseline AS (
            SELECT sensor_id, count(*)::int AS n,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median, avg(gap) AS mean, stddev_samp(gap) AS sd
            FROM beats
            WHERE gap > 0 AND gap <= stale AND ago >= $5 * e
            GROUP BY sensor_id
        )
        SELECT b.sensor_id, min(b.e), min(b.stale), min(s.age_days), min(b.ago),
               (count(*) FILTER (WHERE b.ago < $4 * b.e))::int,
               (count(*) FILTER (WHERE b.ago < $4 * b.e AND b.gap > 0 AND b.gap <= b.stale))::int,
               avg(b.gap) FILTER (WHERE b.ago < $4 * b.e AND b.gap > 0 AND b.gap <= b.stale),
               stddev_samp(b.gap) FILTER (WHERE b.ago < $4 * b.e AND b.gap > 0 AND b.gap <= b.stale),
               (count(*) FILTER (WHERE b.ago < $5 * b.e AND b.gap > 0 AND b.gap <= b.stale))::int,
               regr_slope(ln(b.gap), -b.ago) FILTER (WHERE b.ago < $5 * b.e AND b.gap > 0 AND b.gap <= b.stale),
               coalesce(sum(greatest(round(b.gap / CASE WHEN bl.n >= $8 THEN bl.median ELSE b.e END) - 1, 0))
                   FILTER (WHERE b.ago < $5 * b.e AND b.gap > 0), 0)::float8,
               (count(*) FILTER (WHERE b.gap > b.stale))::int,
               coalesce(min(bl.n), 0), min(bl.median), min(bl.mean), min(bl.sd)
        FROM beats b JOIN s ON s.id = b.sensor_id LEFT JOIN baseline bl ON bl.sensor_id = b.sensor_id
        GROUP BY b.sensor_id
        ORDER BY b.sensor_id
        """;

    /// <param name="sensors">Only sensors with ids in this range, and of them only every <c>Step</c>-th id (a uniform sample).</param>
    public static async Task<List<SensorWindow>> RunAsync(
        NpgsqlConnection connection, DateTimeOffset at, PredictionOptions options, TimeSpan defaultInterval, TimeSpan defaultStale,
        SensorSlice sensors, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Sql, connection) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = defaultInterval });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = defaultStale });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = options.RecentBeats });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = options.TrendBeats });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = options.BaselineBeats });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = options.BaselineMaxSpan.TotalSeconds });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.MinBaselineGaps });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sensors.FirstId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sensors.LastId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sensors.Step });

        var windows = new List<SensorWindow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            windows.Add(new SensorWindow(
                reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4),
                reader.GetInt32(5), reader.GetInt32(6), Nullable(reader, 7), Nullable(reader, 8),
                reader.GetInt32(9), Nullable(reader, 10), reader.GetDouble(11), reader.GetInt32(12),
                reader.GetInt32(13), Nullable(reader, 14), Nullable(reader, 15), Nullable(reader, 16)));
        }
        return windows;
    }

    static double? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
}
