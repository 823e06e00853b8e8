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
    // A window shorter than an hour (a sensor beating more often than every 100 s has such a recent window) would be
    // swamped by those whole hours, so it is taken exactly from the raw heartbeats of its own span instead, which never
    // reaches back more than an hour; a baseline whose trend window is that short then ends at the hour before the
    // trend's start, plus the beats of the hour under way before it.
    // Each sensor's rows are read by its own index ranges and aggregated as they stream: the trend's hours, and the
    // baseline's whole UTC days from the daily roll-ups with its ragged ends in hours. A pass over sensors with 14-day
    // baselines reads about 60 rows a sensor (24 trend hours, 12 days, up to 46 hours at the ends) instead of 336.
    static readonly string Sql = $$"""
        WITH s AS MATERIALIZED (
            -- The baseline's hours start after lo and end before b_end; those of whole days from d_from to d_to (UTC)
            -- are read from the daily roll-ups. Raw heartbeats are read from raw_from.
            SELECT id, e, stale, age_days, recent, trend, reach, lo, b_end, raw_from,
                   date_trunc('day', lo, 'UTC') + interval '1 day' AS d_from, date_trunc('day', b_end, 'UTC') AS d_to
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
            CROSS JOIN LATERAL (
                SELECT $1 - (reach + 1800) * interval '1 second' AS lo,
                       CASE WHEN trend < 3600 THEN date_trunc('hour', $1 - trend * interval '1 second')
                            ELSE date_trunc('hour', $1 - (trend + 1800) * interval '1 second') + interval '1 hour' END AS b_end,
                       least(date_trunc('hour', $1), $1 - (CASE WHEN reach < 3600 THEN reach WHEN trend < 3600 THEN trend
                                                                WHEN recent < 3600 THEN recent ELSE 0 END) * interval '1 second') AS raw_from
                ) AS bounds
        ), past AS MATERIALIZED (
            -- The baseline's hours (most of them) only as sums, and its typical interval (see SensorWindow); then the
            -- trend's, with everything the features need of them, including the beats each hour missed against it.
            SELECT s.id AS sensor_id, greatest(t.last_at, b.last_at) AS last_at,
                   t.recent_beats, t.recent_gaps, t.recent_sum, t.recent_squares, t.trend_gaps, t.missed,
                   t.fit_n, t.fit_x, t.fit_y, t.fit_xy, t.fit_xx,
                   coalesce(t.flaps, 0) + coalesce(b.flaps, 0) AS flaps,
                   b.baseline_gaps, b.baseline_sum, b.baseline_squares, b.typical
            FROM s CROSS JOIN LATERAL (
                SELECT b.*, {{BaselineInterval("b.baseline_gaps", "b.baseline_sum", "b.typical", "s.e")}} AS base_interval
                FROM (
                  SELECT count(*) AS n, max(h.last_at) AS last_at, sum(h.silences) AS flaps,
                         sum(h.gaps) AS baseline_gaps, sum(h.gap_sum) AS baseline_sum, sum(h.gap_sumsq) AS baseline_squares,
                         CASE WHEN count(*) FILTER (WHERE h.whole_day AND h.gaps > 0) >= 3
                              THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY h.gap_sum / nullif(h.gaps, 0))
                                   FILTER (WHERE h.whole_day AND h.gaps > 0) END AS typical
                  FROM (
                    SELECT last_at, silences, gaps, gap_sum, gap_sumsq, false AS whole_day FROM heartbeat_hours_all
                    WHERE sensor_id = s.id AND hour > s.lo AND hour < s.b_end AND hour < s.d_from
                    UNION ALL
                    SELECT last_at, silences, gaps, gap_sum, gap_sumsq, true FROM heartbeat_days_all
                    WHERE sensor_id = s.id AND day >= s.d_from AND day < s.d_to
                    UNION ALL
                    SELECT last_at, silences, gaps, gap_sum, gap_sumsq, false FROM heartbeat_hours_all
                    WHERE sensor_id = s.id AND hour > s.lo AND hour < s.b_end AND hour >= greatest(s.d_from, s.d_to)) AS h) AS b) AS b
            CROSS JOIN LATERAL (
                SELECT count(*) AS n, max(h.last_at) AS last_at,
                       sum(h.beats) FILTER (WHERE h.ago < s.recent) AS recent_beats,
                       sum(h.gaps) FILTER (WHERE h.ago < s.recent) AS recent_gaps,
                       sum(h.gap_sum) FILTER (WHERE h.ago < s.recent) AS recent_sum,
                       sum(h.gap_sumsq) FILTER (WHERE h.ago < s.recent) AS recent_squares,
                       sum(h.gaps) AS trend_gaps,
                       sum({{Missed("h.longest_gap", "h.gap_sum + h.silence_sum", "h.gaps + h.silences", "b.base_interval")}}) AS missed,
                       -- Least-squares sums of ln(each hour's mean gap) over the hour's middle, in hours.
                       count(*) FILTER (WHERE h.gaps > 0) AS fit_n,
                       sum(-h.ago / 3600) FILTER (WHERE h.gaps > 0) AS fit_x,
                       sum(ln(h.gap_sum / h.gaps)) FILTER (WHERE h.gaps > 0) AS fit_y,
                       sum(-h.ago / 3600 * ln(h.gap_sum / h.gaps)) FILTER (WHERE h.gaps > 0) AS fit_xy,
                       sum((h.ago / 3600) ^ 2) FILTER (WHERE h.gaps > 0) AS fit_xx,
                       sum(h.silences) AS flaps
                FROM (SELECT h.beats, h.last_at, h.gaps, h.gap_sum, h.gap_sumsq, h.silences, h.silence_sum, h.longest_gap,
                             date_part('epoch', $1 - h.hour) - 1800 AS ago
                      FROM heartbeat_hours_all h
                      WHERE h.sensor_id = s.id AND h.hour >= s.b_end AND h.hour < date_trunc('hour', $1) OFFSET 0) AS h) AS t
            WHERE t.n + b.n > 0
        ), current AS MATERIALIZED (
            SELECT sensor_id, max(sensor_time) AS c_last_at,
                   -- The hour under way, for windows of an hour or more.
                   count(*) FILTER (WHERE in_hour) AS c_beats,
                   count(*) FILTER (WHERE in_hour AND gap <= stale) AS c_gaps,
                   coalesce(sum(gap) FILTER (WHERE in_hour AND gap <= stale), 0) AS c_gap_sum,
                   coalesce(sum(gap * gap) FILTER (WHERE in_hour AND gap <= stale), 0) AS c_gap_squares,
                   count(*) FILTER (WHERE in_hour AND gap > stale) AS c_silences,
                   coalesce(sum(gap) FILTER (WHERE in_hour AND gap > stale), 0) AS c_silence_sum,
                   max(gap) FILTER (WHERE in_hour) AS c_longest,
                   -- Windows shorter than an hour, exactly: the recent window, the trend's gaps (and their fit, one point
                   -- a gap), the baseline's beats that are raw, and every silence (for a baseline that is all raw).
                   count(*) FILTER (WHERE ago < recent) AS x_beats,
                   count(*) FILTER (WHERE ago < recent AND gap <= stale) AS x_gaps,
                   coalesce(sum(gap) FILTER (WHERE ago < recent AND gap <= stale), 0) AS x_gap_sum,
                   coalesce(sum(gap * gap) FILTER (WHERE ago < recent AND gap <= stale), 0) AS x_gap_squares,
                   count(*) FILTER (WHERE ago < trend AND gap <= stale) AS x_trend_gaps,
                   count(gap) FILTER (WHERE ago < trend) AS x_trend_pieces,
                   coalesce(sum(gap) FILTER (WHERE ago < trend), 0) AS x_trend_span,
                   max(gap) FILTER (WHERE ago < trend) AS x_trend_longest,
                   coalesce(sum(-ago / 3600) FILTER (WHERE ago < trend AND gap <= stale), 0) AS x_fit_x,
                   coalesce(sum(ln(gap)) FILTER (WHERE ago < trend AND gap <= stale), 0) AS x_fit_y,
                   coalesce(sum(-ago / 3600 * ln(gap)) FILTER (WHERE ago < trend AND gap <= stale), 0) AS x_fit_xy,
                   coalesce(sum((ago / 3600) ^ 2) FILTER (WHERE ago < trend AND gap <= stale), 0) AS x_fit_xx,
                   count(*) FILTER (WHERE ago >= trend AND (in_hour OR reach < 3600) AND gap <= stale) AS x_base_gaps,
                   coalesce(sum(gap) FILTER (WHERE ago >= trend AND (in_hour OR reach < 3600) AND gap <= stale), 0) AS x_base_sum,
                   coalesce(sum(gap * gap) FILTER (WHERE ago >= trend AND (in_hour OR reach < 3600) AND gap <= stale), 0) AS x_base_squares,
                   count(*) FILTER (WHERE gap > stale) AS x_silences
            FROM (
                SELECT h.sensor_id, h.sensor_time, s.stale, s.recent, s.trend, s.reach,
                       h.sensor_time >= date_trunc('hour', $1) AS in_hour,
                       extract(epoch FROM $1 - h.sensor_time)::float8 AS ago,
                       -- The first beat read has its predecessor in the roll-ups only when it falls in the hour under way.
                       extract(epoch FROM h.sensor_time - coalesce(
                           lag(h.sensor_time) OVER (PARTITION BY h.sensor_id ORDER BY h.sensor_time),
                           CASE WHEN h.sensor_time >= date_trunc('hour', $1) THEN p.last_at END))::float8 AS gap
                FROM heartbeats h JOIN s ON s.id = h.sensor_id LEFT JOIN past p ON p.sensor_id = h.sensor_id
                -- The slice's earliest raw_from as a bound of its own: an init plan, so that only the partitions it
                -- reaches are scanned.
                WHERE h.sensor_time >= (SELECT min(raw_from) FROM s) AND h.sensor_time >= s.raw_from AND h.sensor_time <= $1) AS beats
            GROUP BY sensor_id
        ), joined AS MATERIALIZED (
            SELECT s.id, s.e, s.stale, s.age_days, s.recent,
                   s.recent < 3600 AS exact_recent, s.trend < 3600 AS exact_trend, s.reach < 3600 AS exact_reach,
                   greatest(p.last_at, c.c_last_at) AS last_at, date_part('epoch', $1 - date_trunc('hour', $1)) AS elapsed,
                   p.recent_beats, p.recent_gaps, p.recent_sum, p.recent_squares, p.trend_gaps, p.missed,
                   p.fit_n, p.fit_x, p.fit_y, p.fit_xy, p.fit_xx, p.flaps,
                   coalesce(p.baseline_gaps, 0) AS baseline_gaps, coalesce(p.baseline_sum, 0) AS baseline_sum,
                   coalesce(p.baseline_squares, 0) AS baseline_squares, CASE WHEN NOT s.reach < 3600 THEN p.typical END AS typical,
                   coalesce(c.c_beats, 0) AS c_beats, coalesce(c.c_gaps, 0) AS c_gaps, coalesce(c.c_gap_sum, 0) AS c_gap_sum,
                   coalesce(c.c_gap_squares, 0) AS c_gap_squares, coalesce(c.c_silences, 0) AS c_silences,
                   coalesce(c.c_silence_sum, 0) AS c_silence_sum, c.c_longest,
                   coalesce(c.x_beats, 0) AS x_beats, coalesce(c.x_gaps, 0) AS x_gaps, coalesce(c.x_gap_sum, 0) AS x_gap_sum,
                   coalesce(c.x_gap_squares, 0) AS x_gap_squares, coalesce(c.x_trend_gaps, 0) AS x_trend_gaps,
                   coalesce(c.x_trend_pieces, 0) AS x_trend_pieces, coalesce(c.x_trend_span, 0) AS x_trend_span, c.x_trend_longest,
                   coalesce(c.x_fit_x, 0) AS x_fit_x, coalesce(c.x_fit_y, 0) AS x_fit_y, coalesce(c.x_fit_xy, 0) AS x_fit_xy,
                   coalesce(c.x_fit_xx, 0) AS x_fit_xx, coalesce(c.x_base_gaps, 0) AS x_base_gaps,
                   coalesce(c.x_base_sum, 0) AS x_base_sum, coalesce(c.x_base_squares, 0) AS x_base_squares,
                   coalesce(c.x_silences, 0) AS x_silences
            FROM s LEFT JOIN past p ON p.sensor_id = s.id LEFT JOIN current c ON c.sensor_id = s.id
            WHERE p.sensor_id IS NOT NULL OR c.sensor_id IS NOT NULL
        ), windows AS (
            -- Each window from its pieces: roll-ups and the hour under way, or the exact raw span.
            SELECT j.*,
                   CASE WHEN exact_recent THEN x_beats ELSE coalesce(recent_beats, 0) + c_beats END AS r_beats,
                   CASE WHEN exact_recent THEN recent ELSE elapsed + 3600 * greatest(ceil((recent - elapsed - 1800) / 3600), 0) END AS r_span,
                   CASE WHEN exact_recent THEN x_gaps ELSE coalesce(recent_gaps, 0) + c_gaps END AS r_n,
                   CASE WHEN exact_recent THEN x_gap_sum ELSE coalesce(recent_sum, 0) + c_gap_sum END AS r_sum,
                   CASE WHEN exact_recent THEN x_gap_squares ELSE coalesce(recent_squares, 0) + c_gap_squares END AS r_squares,
                   CASE WHEN exact_reach THEN x_base_gaps WHEN exact_trend THEN baseline_gaps + x_base_gaps ELSE baseline_gaps END AS b_n,
                   CASE WHEN exact_reach THEN x_base_sum WHEN exact_trend THEN baseline_sum + x_base_sum ELSE baseline_sum END AS b_sum,
                   CASE WHEN exact_reach THEN x_base_squares WHEN exact_trend THEN baseline_squares + x_base_squares
                        ELSE baseline_squares END AS b_squares,
                   CASE WHEN exact_reach THEN x_silences ELSE coalesce(flaps, 0) + c_silences END AS all_flaps
            FROM joined j
        ), totals AS (
            SELECT w.*,
                   CASE WHEN exact_trend THEN x_trend_gaps ELSE coalesce(trend_gaps, 0) + c_gaps END AS t_n,
                   CASE WHEN exact_trend THEN {{Missed("x_trend_longest", "x_trend_span", "x_trend_pieces", "base")}}
                        ELSE coalesce(missed, 0) + {{Missed("c_longest", "c_gap_sum + c_silence_sum", "c_gaps + c_silences", "base")}} END AS t_missed,
                   -- The hour under way as one more point of the fit, at its middle.
                   CASE WHEN exact_trend THEN x_trend_gaps ELSE coalesce(fit_n, 0) + (c_gaps > 0)::int END AS f_n,
                   CASE WHEN exact_trend THEN x_fit_x ELSE coalesce(fit_x, 0) + CASE WHEN c_gaps > 0 THEN -elapsed / 7200 ELSE 0 END END AS f_x,
                   CASE WHEN exact_trend THEN x_fit_y ELSE coalesce(fit_y, 0) + CASE WHEN c_gaps > 0 THEN ln(c_gap_sum / c_gaps) ELSE 0 END END AS f_y,
                   CASE WHEN exact_trend THEN x_fit_xy
                        ELSE coalesce(fit_xy, 0) + CASE WHEN c_gaps > 0 THEN -elapsed / 7200 * ln(c_gap_sum / c_gaps) ELSE 0 END END AS f_xy,
                   CASE WHEN exact_trend THEN x_fit_xx ELSE coalesce(fit_xx, 0) + CASE WHEN c_gaps > 0 THEN (elapsed / 7200) ^ 2 ELSE 0 END END AS f_xx
            FROM (SELECT w.*, {{BaselineInterval("b_n", "b_sum", "typical", "e")}} AS base FROM windows w) AS w
        )
        SELECT id, e, stale, age_days, extract(epoch FROM $1 - last_at)::float8,
               r_beats::int, r_span, r_n::int, r_sum / nullif(r_n, 0),
               CASE WHEN r_n >= 2 THEN sqrt(greatest(r_squares - r_sum * r_sum / r_n, 0) / (r_n - 1)) END,
               t_n::int,
               CASE WHEN f_n >= 2 AND f_n * f_xx - f_x * f_x > 0 THEN (f_n * f_xy - f_x * f_y) / (f_n * f_xx - f_x * f_x) / 3600 END,
               t_missed::float8, all_flaps::int, b_n::int, coalesce(typical, b_sum / nullif(b_n, 0)),
               CASE WHEN b_n >= 2 THEN sqrt(greatest(b_squares - b_sum * b_sum / b_n, 0) / (b_n - 1)) END
        FROM totals
        ORDER BY id
        """;

    /// <summary>
    /// The interval missed beats are counted against, as <see cref="FeatureMath.From"/> takes the baseline: the
    /// baseline's typical interval (or its mean gap) once it holds <c>MinBaselineGaps</c> ($8) gaps, else the expected one.
    /// The trend's finished hours are counted against the baseline's roll-ups; the hour under way and a trend under an
    /// hour against the whole baseline, raw part included.
    /// </summary>
    static string BaselineInterval(string gaps, string sum, string typical, string expected) =>
        $"CASE WHEN {gaps} >= $8 THEN coalesce({typical}, {sum} / {gaps}) ELSE {expected} END";

    /// <summary>
    /// Heartbeats missed in a stretch of gaps (an hour, or a window's raw span) against the baseline interval, from the
    /// stretch's longest gap, total and count. Each gap of n intervals missed n − 1 beats. When even the longest is under
    /// one and a half intervals none was missed: a sensor that merely slowed down misses nothing. Otherwise the longest
    /// counts on its own and the rest by their total, so a stretch with one gap of dropped beats is counted exactly.
    /// </summary>
    static string Missed(string longest, string total, string count, string baseline) =>
        $"CASE WHEN round({longest} / {baseline}) > 1 THEN round({longest} / {baseline}) - 1 " +
        $"+ greatest(round(({total} - {longest}) / {baseline}) - ({count} - 1), 0) ELSE 0 END";

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
