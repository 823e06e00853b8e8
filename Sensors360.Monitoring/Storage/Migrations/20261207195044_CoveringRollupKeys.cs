using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class CoveringRollupKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A scoring pass reads some 60 roll-up rows a sensor. The heap holds them hour by hour, as they were written,
            // so each lies on a page of its own; the keys, carrying the figures the pass reads, hold a sensor's rows side
            // by side and answer it without the heap (index-only scans), for rows on pages that vacuum has marked all
            // visible. Hours are only ever inserted, so autovacuum is asked to visit them after every 10,000 rows rather
            // than after a fifth of the table, so that the last day's hours (the trend window) are visible within the hour.
            migrationBuilder.Sql("""
                ALTER TABLE heartbeat_hours
                    DROP CONSTRAINT pk_heartbeat_hours,
                    ADD CONSTRAINT pk_heartbeat_hours PRIMARY KEY (sensor_id, hour)
                        INCLUDE (beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum),
                    SET (autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0);
                ALTER TABLE heartbeat_days
                    DROP CONSTRAINT pk_heartbeat_days,
                    ADD CONSTRAINT pk_heartbeat_days PRIMARY KEY (sensor_id, day)
                        INCLUDE (last_at, gaps, gap_sum, gap_sumsq, silences);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE heartbeat_hours
                    DROP CONSTRAINT pk_heartbeat_hours,
                    ADD CONSTRAINT pk_heartbeat_hours PRIMARY KEY (sensor_id, hour),
                    RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor);
                ALTER TABLE heartbeat_days
                    DROP CONSTRAINT pk_heartbeat_days,
                    ADD CONSTRAINT pk_heartbeat_days PRIMARY KEY (sensor_id, day);
                """);
        }
    }
}
