using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SensorEdits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "retirement_reason",
                table: "sensors",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_sensors_retirement_reason",
                table: "sensors",
                sql: "retirement_reason IN ('failed', 'replaced-preventively', 'decommissioned')");

            // Readers of sensor_status (survival, failure history) tell a failure from a planned retirement.
            migrationBuilder.Sql("""
                CREATE OR REPLACE VIEW sensor_status AS
                SELECT s.id, s.tag, s.labels, s.created_at, s.retired_at, s.replaced_by, s.key_hash,
                       s.expected_interval, s.grace, s.stale_after,
                       l.state, l.state_since, l.first_heartbeat_at, l.last_heartbeat_at, l.last_received_at,
                       l.heartbeat_count, l.late_at, l.down_at, s.retirement_reason
                FROM sensors s JOIN sensor_liveness l ON l.sensor_id = s.id;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP VIEW sensor_status;
                CREATE VIEW sensor_status AS
                SELECT s.id, s.tag, s.labels, s.created_at, s.retired_at, s.replaced_by, s.key_hash,
                       s.expected_interval, s.grace, s.stale_after,
                       l.state, l.state_since, l.first_heartbeat_at, l.last_heartbeat_at, l.last_received_at,
                       l.heartbeat_count, l.late_at, l.down_at
                FROM sensors s JOIN sensor_liveness l ON l.sensor_id = s.id;
                """);

            migrationBuilder.DropCheckConstraint(
                name: "ck_sensors_retirement_reason",
                table: "sensors");

            migrationBuilder.DropColumn(
                name: "retirement_reason",
                table: "sensors");
        }
    }
}
