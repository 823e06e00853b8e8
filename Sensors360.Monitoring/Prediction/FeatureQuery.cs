using Npgsql;

namespace Sensors360.Monitoring.Prediction;

/// <summary>Sensors with ids from <see cref="FirstId"/> to <see cref="LastId"/> whose id is a multiple of <see cref="Step"/>.</summary>
public readonly record struct SensorSlice(long FirstId, long LastId, long Step = 1)
{
    public static readonly SensorSlice All = new(long.MinValue, long.MaxValue);
}

/// <summary>
/// Aggregates every live sensor's heartbeats as of a moment, in one statement, from the hourly roll-ups. Only what was
/// known then is used (heartbeats up to it, sensors installed and not yet retired), so the backtest can ask about any moment of a history.
/// </summary>
public static class FeatureQuery
{
    // A sensor's windows are made of pieces: the hourly roll-ups of whole hours before the moment's hour, and that hour
    // up to the moment from the raw heartbeats (so that nothing after the moment is seen). A piece is in a window when its
    // middle is; the recent window reports the time its pieces cover. Reading raw heartbeats for at most an hour keeps a
    // pass proportional to the fleet, not to its heartbeats.
    const string Sql = """
        WITH s AS MATERIALIZED (
            SELECT id, e, stale, age_days, $4 * e AS recent, $5 * e AS trend, least($6 * e, $7) AS reach
            FROM (
                SELECT id,
                       extract(epoch FROM coalesce(expected_interval, $2))::float8 AS e,
                       extract(epoch FROM coalesce(stale_after, $3))::float8 AS stale,
                       extract(epoch FROM $1 - first_heartbeat_at)::float8 / 86400 AS age_days
                FROM sensor_status
                WHERE first_heartbeat_at <= $1 AND (retired_at IS NULL OR retired_at > $1)
                  AND id BETWEEN $9 AND $10 AND id % $11 = 0) AS settings
        ), hours AS MATERIALIZED (
            SELECT h.sensor_id, extract(epoch FROM $1 - h.hour)::float8 - 1800 AS ago, 3600::float8 AS span,
                   h.beats, h.gaps, h.gap_sum, h.gap_sumsq, h.silences, h.silence_sum, h.last_at
            FROM heartbeat_hours h JOIN s ON s.id = h.sensor_id
            -- The slice's widest reach as a bound of its own (an init plan), then each sensor's own.
            WHERE h.hour >= $1 - (SELECT max(reach) FROM s) * interval '1 second' - interval '1 hour'
              AND h.hour < date_trunc('hour', $1)
              AND extract(epoch FROM $1 - h.hour)::float8 - 1800 < s.reach
        ), raw AS (
            SELECT h.sensor_id, h.sensor_time, s.stale,
                   extract(epoch FROM h.sensor_time - coalesce(
                       lag(h.sensor_time) OVER (PARTITION BY h.sensor_id ORDER BY h.sensor_time), before.last_at))::float8 AS gap
            FROM heartbeats h JOIN s ON s.id = h.sensor_id
            LEFT JOIN (SELECT sensor_id, max(last_at) AS last_at FROM hours GROUP BY sensor_id) before ON before.sensor_id = h.sensor_id
            WHERE h.sensor_time >= date_trunc('hour', $1) AND h.sensor_time <= $1
        ), pieces AS MATERIALIZED (
            SELECT * FROM hours
            UNION ALL
            SELECT sensor_id, extract(epoch FROM $1 - date_trunc('hour', $1))::float8 / 2,
                   extract(epoch FROM $1 - date_trunc('hour', $1))::float8,
                   count(*)::int, (count(*) FILTER (WHERE gap <= stale))::int,
                   coalesce(sum(gap) FILTER (WHERE gap <= stale), 0), coalesce(sum(gap * gap) FILTER (WHERE gap <= stale), 0),
                   (count(*) FILTER (WHERE gap > stale))::int, coalesce(sum(gap) FILTER (WHERE gap > stale), 0), max(sensor_time)
            FROM raw GROUP BY sensor_id
        ), sums AS (
            SELECT p.sensor_id, min(s.e) AS e, min(s.stale) AS stale, min(s.age_days) AS age_days, min(s.trend) AS trend,
                   max(p.last_at) AS last_at,
                   sum(p.beats) FILTER (WHERE p.ago < s.recent) AS recent_beats,
                   sum(p.span) FILTER (WHERE p.ago < s.recent) AS recent_span,
                   sum(p.gaps) FILTER (WHERE p.ago < s.recent) AS recent_gaps,
                   sum(p.gap_sum) FILTER (WHERE p.ago < s.recent) AS recent_sum,
                   sum(p.gap_sumsq) FILTER (WHERE p.ago < s.recent) AS recent_squares,
                   sum(p.gaps) FILTER (WHERE p.ago < s.trend) AS trend_gaps,
                   regr_slope(ln(p.gap_sum / p.gaps), -p.ago) FILTER (WHERE p.ago < s.trend AND p.gaps > 0) AS trend_slope,
                   sum(p.silences) AS flaps,
                   sum(p.gaps) FILTER (WHERE p.ago >= s.trend) AS baseline_gaps,
                   sum(p.gap_sum) FILTER (WHERE p.ago >= s.trend) AS baseline_sum,
                   sum(p.gap_sumsq) FILTER (WHERE p.ago >= s.trend) AS baseline_squares
            FROM pieces p JOIN s ON s.id = p.sensor_id
            GROUP BY p.sensor_id
        ), baseline AS (
            SELECT *, CASE WHEN baseline_gaps >= $8 THEN baseline_sum / baseline_gaps ELSE e END AS base_interval
            FROM sums
        ), missed AS (
            SELECT p.sensor_id, sum(greatest(round((p.gap_sum + p.silence_sum) / b.base_interval) - (p.gaps + p.silences), 0)) AS missed
            FROM pieces p JOIN baseline b ON b.sensor_id = p.sensor_id
            WHERE p.ago < b.trend
            GROUP BY p.sensor_id
        )
        SELECT b.sensor_id, b.e, b.stale, b.age_days, extract(epoch FROM $1 - b.last_at)::float8,
               coalesce(b.recent_beats, 0)::int, coalesce(b.recent_span, 0)::float8, coalesce(b.recent_gaps, 0)::int,
               b.recent_sum / nullif(b.recent_gaps, 0),
               CASE WHEN b.recent_gaps >= 2
                    THEN sqrt(greatest(b.recent_squares - b.recent_sum * b.recent_sum / b.recent_gaps, 0) / (b.recent_gaps - 1)) END,
               coalesce(b.trend_gaps, 0)::int, b.trend_slope,
               coalesce(m.missed, 0)::float8,
               b.flaps::int, coalesce(b.baseline_gaps, 0)::int,
               b.baseline_sum / nullif(b.baseline_gaps, 0),
               CASE WHEN b.baseline_gaps >= 2
                    THEN sqrt(greatest(b.baseline_squares - b.baseline_sum * b.baseline_sum / b.baseline_gaps, 0) / (b.baseline_gaps - 1)) END
        FROM baseline b LEFT JOIN missed m ON m.sensor_id = b.sensor_id
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
                reader.GetInt32(5), reader.GetDouble(6), reader.GetInt32(7), Nullable(reader, 8), Nullable(reader, 9),
                reader.GetInt32(10), Nullable(reader, 11), reader.GetDouble(12), reader.GetInt32(13),
                reader.GetInt32(14), Nullable(reader, 15), Nullable(reader, 16)));
        }
        return windows;
    }

    static double? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
}
