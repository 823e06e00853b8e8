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
    // A sensor's windows are made of whole hours before the moment's hour, from the hourly roll-ups, and that hour up to
    // the moment, from the raw heartbeats (so that nothing after the moment is seen). An hour belongs to a window when
    // its middle does; the hour under way always does; the trend window reaches no further back than the baseline's.
    // Each sensor's rows are read by its own index ranges and aggregated as they stream: the trend's hours, and the
    // baseline's whole UTC days from the daily roll-ups with its ragged ends in hours. A pass over sensors with 14-day
    // baselines reads about 60 rows a sensor (24 trend hours, 12 days, up to 46 hours at the ends) instead of 336.
    const string Sql = """
        WITH s AS MATERIALIZED (
            -- The baseline's hours start after lo and end at hi; those of whole days from d_from to d_to (UTC) are read
            -- from the daily roll-ups.
            SELECT id, e, stale, age_days, recent, trend, reach, lo, hi,
                   date_trunc('day', lo, 'UTC') + interval '1 day' AS d_from, date_trunc('day', hi + interval '1 hour', 'UTC') AS d_to
            FROM (
                SELECT id,
                       extract(epoch FROM coalesce(expected_interval, $2))::float8 AS e,
                       extract(epoch FROM coalesce(stale_after, $3))::float8 AS stale,
                       extract(epoch FROM $1 - first_heartbeat_at)::float8 / 86400 AS age_days
                FROM sensor_status
                WHERE first_heartbeat_at <= $1 AND (retired_at IS NULL OR retired_at > $1)
                  AND id BETWEEN $9 AND $10 AND id % $11 = 0) AS settings
            CROSS JOIN LATERAL (SELECT $4 * e AS recent, least($6 * e, $7) AS reach) AS sizes
            CROSS JOIN LATERAL (SELECT least($5 * e, reach) AS trend) AS trends
            CROSS JOIN LATERAL (SELECT $1 - (reach + 1800) * interval '1 second' AS lo,
                                       $1 - (trend + 1800) * interval '1 second' AS hi) AS bounds
        ), past AS MATERIALIZED (
            -- The baseline's hours (most of them) only as sums; then the trend's, with everything the features need of
            -- them, including the beats each hour missed against the baseline's interval.
            SELECT s.id AS sensor_id, greatest(t.last_at, b.last_at) AS last_at,
                   t.recent_beats, t.recent_gaps, t.recent_sum, t.recent_squares, t.trend_gaps, t.missed,
                   t.fit_n, t.fit_x, t.fit_y, t.fit_xy, t.fit_xx,
                   coalesce(t.flaps, 0) + coalesce(b.flaps, 0) AS flaps,
                   b.baseline_gaps, b.baseline_sum, b.baseline_squares, b.base_interval
            FROM s CROSS JOIN LATERAL (
                SELECT count(*) AS n, max(h.last_at) AS last_at, sum(h.silences) AS flaps,
                       sum(h.gaps) AS baseline_gaps, sum(h.gap_sum) AS baseline_sum, sum(h.gap_sumsq) AS baseline_squares,
                       CASE WHEN sum(h.gaps) >= $8 THEN sum(h.gap_sum) / sum(h.gaps) ELSE s.e END AS base_interval
                FROM (
                    SELECT last_at, silences, gaps, gap_sum, gap_sumsq FROM heartbeat_hours
                    WHERE sensor_id = s.id AND hour > s.lo AND hour <= s.hi AND hour < s.d_from
                    UNION ALL
                    SELECT last_at, silences, gaps, gap_sum, gap_sumsq FROM heartbeat_days
                    WHERE sensor_id = s.id AND day >= s.d_from AND day < s.d_to
                    UNION ALL
                    SELECT last_at, silences, gaps, gap_sum, gap_sumsq FROM heartbeat_hours
                    WHERE sensor_id = s.id AND hour > s.lo AND hour <= s.hi AND hour >= greatest(s.d_from, s.d_to)) AS h) AS b
            CROSS JOIN LATERAL (
                SELECT count(*) AS n, max(h.last_at) AS last_at,
                       sum(h.beats) FILTER (WHERE h.ago < s.recent) AS recent_beats,
                       sum(h.gaps) FILTER (WHERE h.ago < s.recent) AS recent_gaps,
                       sum(h.gap_sum) FILTER (WHERE h.ago < s.recent) AS recent_sum,
                       sum(h.gap_sumsq) FILTER (WHERE h.ago < s.recent) AS recent_squares,
                       sum(h.gaps) AS trend_gaps,
                       sum(greatest(round((h.gap_sum + h.silence_sum) / b.base_interval) - (h.gaps + h.silences), 0)) AS missed,
                       -- Least-squares sums of ln(each hour's mean gap) over the hour's middle, in hours.
                       count(*) FILTER (WHERE h.gaps > 0) AS fit_n,
                       sum(-h.ago / 3600) FILTER (WHERE h.gaps > 0) AS fit_x,
                       sum(ln(h.gap_sum / h.gaps)) FILTER (WHERE h.gaps > 0) AS fit_y,
                       sum(-h.ago / 3600 * ln(h.gap_sum / h.gaps)) FILTER (WHERE h.gaps > 0) AS fit_xy,
                       sum((h.ago / 3600) ^ 2) FILTER (WHERE h.gaps > 0) AS fit_xx,
                       sum(h.silences) AS flaps
                FROM (SELECT h.beats, h.last_at, h.gaps, h.gap_sum, h.gap_sumsq, h.silences, h.silence_sum,
                             date_part('epoch', $1 - h.hour) - 1800 AS ago
                      FROM heartbeat_hours h
                      WHERE h.sensor_id = s.id AND h.hour > s.hi AND h.hour < date_trunc('hour', $1) OFFSET 0) AS h) AS t
            WHERE t.n + b.n > 0
        ), current AS MATERIALIZED (
            SELECT sensor_id, count(*) AS beats, max(sensor_time) AS last_at,
                   count(*) FILTER (WHERE gap <= stale) AS gaps,
                   coalesce(sum(gap) FILTER (WHERE gap <= stale), 0) AS gap_sum,
                   coalesce(sum(gap * gap) FILTER (WHERE gap <= stale), 0) AS gap_squares,
                   count(*) FILTER (WHERE gap > stale) AS silences,
                   coalesce(sum(gap) FILTER (WHERE gap > stale), 0) AS silence_sum
            FROM (
                SELECT h.sensor_id, h.sensor_time, s.stale,
                       extract(epoch FROM h.sensor_time - coalesce(
                           lag(h.sensor_time) OVER (PARTITION BY h.sensor_id ORDER BY h.sensor_time), p.last_at))::float8 AS gap
                FROM heartbeats h JOIN s ON s.id = h.sensor_id LEFT JOIN past p ON p.sensor_id = h.sensor_id
                WHERE h.sensor_time >= date_trunc('hour', $1) AND h.sensor_time <= $1) AS beats
            GROUP BY sensor_id
        ), joined AS MATERIALIZED (
            SELECT s.*, p.*, c.beats AS c_beats, c.last_at AS c_last_at, coalesce(c.gaps, 0) AS c_gaps,
                   coalesce(c.gap_sum, 0) AS c_gap_sum, coalesce(c.gap_squares, 0) AS c_gap_squares,
                   coalesce(c.silences, 0) AS c_silences, coalesce(c.silence_sum, 0) AS c_silence_sum,
                   date_part('epoch', $1 - date_trunc('hour', $1)) AS elapsed,
                   coalesce(p.base_interval, s.e) AS base
            FROM s LEFT JOIN past p ON p.sensor_id = s.id LEFT JOIN current c ON c.sensor_id = s.id
            WHERE p.sensor_id IS NOT NULL OR c.sensor_id IS NOT NULL
        ), totals AS (
            SELECT j.*, coalesce(j.missed, 0) + greatest(round((j.c_gap_sum + j.c_silence_sum) / j.base) - (j.c_gaps + j.c_silences), 0) AS trend_missed,
                   coalesce(j.recent_gaps, 0) + j.c_gaps AS r_n, coalesce(j.recent_sum, 0) + j.c_gap_sum AS r_sum,
                   coalesce(j.recent_squares, 0) + j.c_gap_squares AS r_squares,
                   -- The hour under way as one more point of the fit, at its middle.
                   coalesce(j.fit_n, 0) + (j.c_gaps > 0)::int AS f_n,
                   coalesce(j.fit_x, 0) + CASE WHEN j.c_gaps > 0 THEN -j.elapsed / 7200 ELSE 0 END AS f_x,
                   coalesce(j.fit_y, 0) + CASE WHEN j.c_gaps > 0 THEN ln(j.c_gap_sum / j.c_gaps) ELSE 0 END AS f_y,
                   coalesce(j.fit_xy, 0) + CASE WHEN j.c_gaps > 0 THEN -j.elapsed / 7200 * ln(j.c_gap_sum / j.c_gaps) ELSE 0 END AS f_xy,
                   coalesce(j.fit_xx, 0) + CASE WHEN j.c_gaps > 0 THEN (j.elapsed / 7200) ^ 2 ELSE 0 END AS f_xx
            FROM joined j
        )
        SELECT id, e, stale, age_days, extract(epoch FROM $1 - greatest(last_at, c_last_at))::float8,
               (coalesce(recent_beats, 0) + coalesce(c_beats, 0))::int,
               elapsed + 3600 * greatest(ceil((recent - elapsed - 1800) / 3600), 0),
               r_n::int, r_sum / nullif(r_n, 0),
               CASE WHEN r_n >= 2 THEN sqrt(greatest(r_squares - r_sum * r_sum / r_n, 0) / (r_n - 1)) END,
               (coalesce(trend_gaps, 0) + c_gaps)::int,
               CASE WHEN f_n >= 2 AND f_n * f_xx - f_x * f_x > 0 THEN (f_n * f_xy - f_x * f_y) / (f_n * f_xx - f_x * f_x) / 3600 END,
               trend_missed::float8,
               (coalesce(flaps, 0) + c_silences)::int, coalesce(baseline_gaps, 0)::int,
               baseline_sum / nullif(baseline_gaps, 0),
               CASE WHEN baseline_gaps >= 2
                    THEN sqrt(greatest(baseline_squares - baseline_sum * baseline_sum / baseline_gaps, 0) / (baseline_gaps - 1)) END
        FROM totals
        ORDER BY id
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
