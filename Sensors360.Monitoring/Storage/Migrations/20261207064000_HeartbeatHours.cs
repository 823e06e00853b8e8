using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class HeartbeatHours : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Hourly roll-ups of each sensor's heartbeats, by the hour of the sensor's clock: the heartbeat writer adds up
            // each hour as it stores the heartbeats (below: the hour under way), and they outlive the raw heartbeats
            // (Monitor:HourlyRetentionDays). A gap
            // between two heartbeats belongs to the hour of the later one; gaps longer than the sensor's stale threshold
            // (as it was when stored) are silences, kept apart so that they do not skew the interval statistics. Only SQL
            // reads and writes it, so it is not in the EF model.
            migrationBuilder.Sql("""
                CREATE TABLE heartbeat_hours (
                    sensor_id bigint NOT NULL,
                    hour timestamptz NOT NULL,
                    beats integer NOT NULL,
                    first_at timestamptz NOT NULL,
                    last_at timestamptz NOT NULL,
                    gaps integer NOT NULL,
                    gap_sum double precision NOT NULL,
                    gap_sumsq double precision NOT NULL,
                    silences integer NOT NULL,
                    silence_sum double precision NOT NULL,
                    longest_gap double precision,
                    CONSTRAINT pk_heartbeat_hours PRIMARY KEY (sensor_id, hour));
                CREATE INDEX ix_heartbeat_hours_hour ON heartbeat_hours USING brin (hour);

                -- The same figures by UTC day, kept in step with the hours (each finished hour is added to its day), so that a
                -- scoring pass reads a sensor's baseline of 14 days as about 12 days and their ragged ends in hours.
                CREATE TABLE heartbeat_days (
                    sensor_id bigint NOT NULL,
                    day timestamptz NOT NULL,
                    beats integer NOT NULL,
                    last_at timestamptz NOT NULL,
                    gaps integer NOT NULL,
                    gap_sum double precision NOT NULL,
                    gap_sumsq double precision NOT NULL,
                    silences integer NOT NULL,
                    silence_sum double precision NOT NULL,
                    CONSTRAINT pk_heartbeat_days PRIMARY KEY (sensor_id, day));
                CREATE INDEX ix_heartbeat_days_day ON heartbeat_days USING brin (day);

                -- A sensor's newest hour, the one its heartbeats are still adding to, is kept in its liveness row, which the
                -- writer updates for every batch anyway: it is written to heartbeat_hours, and added to its day, once the
                -- sensor's heartbeats move on to a later hour. So both tables hold finished hours only, a batch within the
                -- hour writes neither, and readers read the *_all views, which add the hour under way.
                ALTER TABLE sensor_liveness
                    ADD COLUMN hour_start timestamptz, ADD COLUMN hour_beats integer, ADD COLUMN hour_first_at timestamptz,
                    ADD COLUMN hour_last_at timestamptz, ADD COLUMN hour_gaps integer, ADD COLUMN hour_gap_sum double precision,
                    ADD COLUMN hour_gap_sumsq double precision, ADD COLUMN hour_silences integer,
                    ADD COLUMN hour_silence_sum double precision, ADD COLUMN hour_longest_gap double precision;

                CREATE VIEW heartbeat_hours_all AS
                SELECT sensor_id, hour, beats, first_at, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum, longest_gap
                FROM heartbeat_hours
                UNION ALL
                SELECT sensor_id, hour_start, hour_beats, hour_first_at, hour_last_at, hour_gaps, hour_gap_sum, hour_gap_sumsq,
                       hour_silences, hour_silence_sum, hour_longest_gap
                FROM sensor_liveness WHERE hour_start IS NOT NULL;

                -- A day's figures may come in two rows: its finished hours and the hour under way.
                CREATE VIEW heartbeat_days_all AS
                SELECT sensor_id, day, beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum FROM heartbeat_days
                UNION ALL
                SELECT sensor_id, date_trunc('day', hour_start, 'UTC'), hour_beats, hour_last_at, hour_gaps, hour_gap_sum,
                       hour_gap_sumsq, hour_silences, hour_silence_sum
                FROM sensor_liveness WHERE hour_start IS NOT NULL;

                -- Recomputes the given sensors' hours (and days) from each one's 'since' on, from the raw heartbeats: for heartbeats
                -- stored out of order (the writer), and for histories written without the writer (generators, imports,
                -- this migration). The gap into the first hour starts at the sensor's last heartbeat of an earlier hour.
                -- The hour under way joins the finished ones first (it is at or after 'since' when the writer calls, so it
                -- is recomputed with them), and the newest hour rebuilt goes back to the liveness row.
                CREATE FUNCTION rebuild_heartbeat_hours(ids bigint[], sinces timestamptz[], default_stale interval)
                RETURNS integer LANGUAGE plpgsql AS $$
                DECLARE
                    written integer;
                BEGIN
                    WITH under_way AS (
                        UPDATE sensor_liveness l SET hour_start = NULL, hour_beats = NULL, hour_first_at = NULL,
                            hour_last_at = NULL, hour_gaps = NULL, hour_gap_sum = NULL, hour_gap_sumsq = NULL,
                            hour_silences = NULL, hour_silence_sum = NULL, hour_longest_gap = NULL
                        FROM (SELECT * FROM sensor_liveness WHERE sensor_id = ANY(ids) AND hour_start IS NOT NULL) AS o
                        WHERE l.sensor_id = o.sensor_id
                        RETURNING o.*
                    ), days AS (
                        INSERT INTO heartbeat_days AS d (sensor_id, day, beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum)
                        SELECT sensor_id, date_trunc('day', hour_start, 'UTC'), hour_beats, hour_last_at, hour_gaps, hour_gap_sum,
                               hour_gap_sumsq, hour_silences, hour_silence_sum
                        FROM under_way
                        ON CONFLICT (sensor_id, day) DO UPDATE SET
                            beats = d.beats + EXCLUDED.beats, last_at = GREATEST(d.last_at, EXCLUDED.last_at),
                            gaps = d.gaps + EXCLUDED.gaps, gap_sum = d.gap_sum + EXCLUDED.gap_sum,
                            gap_sumsq = d.gap_sumsq + EXCLUDED.gap_sumsq, silences = d.silences + EXCLUDED.silences,
                            silence_sum = d.silence_sum + EXCLUDED.silence_sum
                    )
                    INSERT INTO heartbeat_hours (sensor_id, hour, beats, first_at, last_at, gaps, gap_sum, gap_sumsq,
                                                 silences, silence_sum, longest_gap)
                    SELECT sensor_id, hour_start, hour_beats, hour_first_at, hour_last_at, hour_gaps, hour_gap_sum,
                           hour_gap_sumsq, hour_silences, hour_silence_sum, hour_longest_gap
                    FROM under_way
                    ON CONFLICT (sensor_id, hour) DO NOTHING;
                    DELETE FROM heartbeat_hours h USING unnest(ids, sinces) AS r(sensor_id, since)
                    WHERE h.sensor_id = r.sensor_id AND h.hour >= date_trunc('hour', r.since);

                    INSERT INTO heartbeat_hours (sensor_id, hour, beats, first_at, last_at, gaps, gap_sum, gap_sumsq,
                                                 silences, silence_sum, longest_gap)
                    SELECT sensor_id, hour, count(*), min(sensor_time), max(sensor_time),
                           count(*) FILTER (WHERE gap <= stale),
                           coalesce(sum(gap) FILTER (WHERE gap <= stale), 0),
                           coalesce(sum(gap * gap) FILTER (WHERE gap <= stale), 0),
                           count(*) FILTER (WHERE gap > stale),
                           coalesce(sum(gap) FILTER (WHERE gap > stale), 0),
                           max(gap)
                    FROM (
                        SELECT b.sensor_id, date_trunc('hour', b.sensor_time) AS hour, b.sensor_time, r.stale,
                               extract(epoch FROM b.sensor_time - coalesce(
                                   lag(b.sensor_time) OVER (PARTITION BY b.sensor_id ORDER BY b.sensor_time), r.before))::float8 AS gap
                        FROM (
                            SELECT r.sensor_id, date_trunc('hour', r.since) AS from_hour,
                                   extract(epoch FROM coalesce(s.stale_after, default_stale))::float8 AS stale,
                                   (SELECT max(e.last_at) FROM heartbeat_hours e
                                    WHERE e.sensor_id = r.sensor_id AND e.hour < date_trunc('hour', r.since)) AS before
                            FROM unnest(ids, sinces) AS r(sensor_id, since) JOIN sensors s ON s.id = r.sensor_id
                        ) r
                        JOIN heartbeats b ON b.sensor_id = r.sensor_id AND b.sensor_time >= r.from_hour
                    ) g
                    GROUP BY sensor_id, hour;
                    GET DIAGNOSTICS written = ROW_COUNT;

                    WITH newest AS (
                        DELETE FROM heartbeat_hours h
                        USING (SELECT e.sensor_id, max(e.hour) AS hour FROM heartbeat_hours e
                               JOIN sensor_liveness l ON l.sensor_id = e.sensor_id
                               WHERE e.sensor_id = ANY(ids) GROUP BY e.sensor_id) AS n
                        WHERE h.sensor_id = n.sensor_id AND h.hour = n.hour
                        RETURNING h.*
                    )
                    UPDATE sensor_liveness l SET hour_start = n.hour, hour_beats = n.beats, hour_first_at = n.first_at,
                        hour_last_at = n.last_at, hour_gaps = n.gaps, hour_gap_sum = n.gap_sum, hour_gap_sumsq = n.gap_sumsq,
                        hour_silences = n.silences, hour_silence_sum = n.silence_sum, hour_longest_gap = n.longest_gap
                    FROM newest n WHERE l.sensor_id = n.sensor_id;

                    -- Their days from the day of 'since' on, from the finished hours just written and those before them that day.
                    DELETE FROM heartbeat_days d USING unnest(ids, sinces) AS r(sensor_id, since)
                    WHERE d.sensor_id = r.sensor_id AND d.day >= date_trunc('day', r.since, 'UTC');
                    INSERT INTO heartbeat_days (sensor_id, day, beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum)
                    SELECT h.sensor_id, date_trunc('day', h.hour, 'UTC'), sum(h.beats), max(h.last_at), sum(h.gaps),
                           sum(h.gap_sum), sum(h.gap_sumsq), sum(h.silences), sum(h.silence_sum)
                    FROM unnest(ids, sinces) AS r(sensor_id, since)
                    JOIN heartbeat_hours h ON h.sensor_id = r.sensor_id AND h.hour >= date_trunc('day', r.since, 'UTC')
                    GROUP BY 1, 2;
                    RETURN written;
                END $$;

                -- Deletes up to batch_size hours before horizon (RowRetention). Returns how many it deleted.
                CREATE FUNCTION prune_heartbeat_hours(horizon timestamptz, batch_size integer)
                RETURNS integer LANGUAGE sql AS $$
                    WITH gone AS (
                        DELETE FROM heartbeat_hours WHERE ctid IN (
                            SELECT ctid FROM heartbeat_hours WHERE hour < horizon LIMIT batch_size)
                        RETURNING 1
                    )
                    SELECT count(*)::integer FROM gone
                $$;

                -- Deletes up to batch_size days wholly before horizon (RowRetention). Returns how many it deleted.
                CREATE FUNCTION prune_heartbeat_days(horizon timestamptz, batch_size integer)
                RETURNS integer LANGUAGE sql AS $$
                    WITH gone AS (
                        DELETE FROM heartbeat_days WHERE ctid IN (
                            SELECT ctid FROM heartbeat_days WHERE day <= horizon - interval '1 day' LIMIT batch_size)
                        RETURNING 1
                    )
                    SELECT count(*)::integer FROM gone
                $$;

                -- The heartbeats already stored, with the default stale threshold (10 minutes) where a sensor has none.
                SELECT rebuild_heartbeat_hours(array_agg(id), array_agg('-infinity'::timestamptz), interval '10 minutes') FROM sensors;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION prune_heartbeat_days(timestamptz, integer);
                DROP FUNCTION prune_heartbeat_hours(timestamptz, integer);
                DROP FUNCTION rebuild_heartbeat_hours(bigint[], timestamptz[], interval);
                DROP VIEW heartbeat_days_all;
                DROP VIEW heartbeat_hours_all;
                ALTER TABLE sensor_liveness
                    DROP COLUMN hour_start, DROP COLUMN hour_beats, DROP COLUMN hour_first_at, DROP COLUMN hour_last_at,
                    DROP COLUMN hour_gaps, DROP COLUMN hour_gap_sum, DROP COLUMN hour_gap_sumsq, DROP COLUMN hour_silences,
                    DROP COLUMN hour_silence_sum, DROP COLUMN hour_longest_gap;
                DROP TABLE heartbeat_days;
                DROP TABLE heartbeat_hours;
                """);
        }
    }
}
