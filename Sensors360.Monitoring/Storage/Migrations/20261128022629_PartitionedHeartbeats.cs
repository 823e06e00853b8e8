using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <summary>
    /// The heartbeats table is range-partitioned by the sensor's timestamp, one partition per UTC day, so that
    /// retention drops whole partitions instead of deleting rows. EF cannot model partitioning: hand-written SQL.
    /// </summary>
    public partial class PartitionedHeartbeats : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE heartbeats (
                    sensor_id   bigint      NOT NULL,
                    sensor_time timestamptz NOT NULL,
                    received_at timestamptz NOT NULL,
                    -- One row per sensor and sensor timestamp: a re-sent or redelivered heartbeat is stored once.
                    CONSTRAINT pk_heartbeats PRIMARY KEY (sensor_id, sensor_time)
                ) PARTITION BY RANGE (sensor_time);

                -- Creates the missing daily partitions for [from_day, to_day]; returns how many it created.
                CREATE FUNCTION ensure_heartbeat_partitions(from_day date, to_day date) RETURNS integer
                LANGUAGE plpgsql AS $$
                DECLARE
                    day date := from_day;
                    created integer := 0;
                    partition_name text;
                BEGIN
                    -- Several workers may run this at once.
                    PERFORM pg_advisory_xact_lock(hashtext('sensors360.heartbeat_partitions'));
                    WHILE day <= to_day LOOP
                        partition_name := 'heartbeats_p' || to_char(day, 'YYYYMMDD');
                        IF to_regclass(partition_name) IS NULL THEN
                            EXECUTE format('CREATE TABLE %I PARTITION OF heartbeats FOR VALUES FROM (%L) TO (%L)',
                                partition_name, day::text || ' 00:00:00+00', (day + 1)::text || ' 00:00:00+00');
                            created := created + 1;
                        END IF;
                        day := day + 1;
                    END LOOP;
                    RETURN created;
                END $$;

                -- Drops the daily partitions of days before cutoff_day; returns how many it dropped.
                CREATE FUNCTION drop_heartbeat_partitions_before(cutoff_day date) RETURNS integer
                LANGUAGE plpgsql AS $$
                DECLARE
                    partition_name text;
                    dropped integer := 0;
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtext('sensors360.heartbeat_partitions'));
                    FOR partition_name IN
                        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'heartbeats'::regclass
                          AND c.relname ~ '^heartbeats_p[0-9]{8}$'
                          AND to_date(substr(c.relname, 13), 'YYYYMMDD') < cutoff_day
                    LOOP
                        EXECUTE format('DROP TABLE %I', partition_name);
                        dropped := dropped + 1;
                    END LOOP;
                    RETURN dropped;
                END $$;
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION drop_heartbeat_partitions_before(date);
                DROP FUNCTION ensure_heartbeat_partitions(date, date);
                DROP TABLE heartbeats;
                """);
        }
    }
}
