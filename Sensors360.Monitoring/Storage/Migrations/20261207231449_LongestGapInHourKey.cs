using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class LongestGapInHourKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The scoring pass counts the beats each trend hour missed from the hour's longest gap as well (FeatureQuery),
            // so the key carries it too and the trend's hours are still read from the key alone.
            migrationBuilder.Sql("""
                ALTER TABLE heartbeat_hours
                    DROP CONSTRAINT pk_heartbeat_hours,
                    ADD CONSTRAINT pk_heartbeat_hours PRIMARY KEY (sensor_id, hour)
                        INCLUDE (beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum, longest_gap);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE heartbeat_hours
                    DROP CONSTRAINT pk_heartbeat_hours,
                    ADD CONSTRAINT pk_heartbeat_hours PRIMARY KEY (sensor_id, hour)
                        INCLUDE (beats, last_at, gaps, gap_sum, gap_sumsq, silences, silence_sum);
                """);
        }
    }
}
