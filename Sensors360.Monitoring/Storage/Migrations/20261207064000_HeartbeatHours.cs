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
            // Hourly roll-ups of each sensor's heartbeats, by the hour of the sensor's clock: the heartbeat writer adds each
            // batch to them as it stores it, and they outlive the raw heartbeats (Monitor:HourlyRetentionDays). A gap
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

                -- The same figures by UTC day, kept in step with the hours (the writer adds each batch to both), so that a
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

                -- Recomputes the given sensors' hours (and days) from each one's 'since' on, from the raw heartbeats: for heartbeats
                -- stored out of order (the writer), and for histories written without the writer (generators, imports,
                -- this migration). The gap into the first hour starts at the sensor's last heartbeat of an earlier hour.
                CREATE FUNCTION rebuild_heartbeat_hours(ids bigint[], sinces timestamptz[], default_stale interval)
                RETURNS integer LANGUAGE plpgsql AS $$
                DECLARE
                    written integer;
                BEGIN
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

                    -- Their days from the day of 'since' on, from the hours just written and those before them that day.
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
                DROP TABLE heartbeat_days;
                DROP TABLE heartbeat_hours;
                """);
        }
    }
}
