using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class MonitoringEngine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sensors_tag_prefix",
                table: "sensors");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "down_at",
                table: "sensors",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "late_at",
                table: "sensors",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_sensors_down_at_active",
                table: "sensors",
                column: "down_at",
                filter: "retired_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_down_at_alive",
                table: "sensors",
                column: "down_at",
                filter: "state IN ('up', 'late')");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_late_at_up",
                table: "sensors",
                column: "late_at",
                filter: "state = 'up'");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_state",
                table: "sensors",
                column: "state");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_tag_id",
                table: "sensors",
                columns: new[] { "tag", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_sensors_tag_prefix",
                table: "sensors",
                column: "tag")
                .Annotation("Npgsql:IndexOperators", new[] { "text_pattern_ops" });

            migrationBuilder.CreateIndex(
                name: "ux_sensors_tag_active",
                table: "sensors",
                column: "tag",
                unique: true,
                filter: "retired_at IS NULL");
        
            // Sorting the sensor list by last heartbeat (never-heard sensors first) pages through this index.
            migrationBuilder.Sql("CREATE INDEX ix_sensors_last_received_id ON sensors ((COALESCE(last_received_at, '-infinity'::timestamptz)), id);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_sensors_last_received_id;");
            migrationBuilder.DropIndex(
                name: "ix_sensors_down_at_active",
                table: "sensors");

            migrationBuilder.DropIndex(
                name: "ix_sensors_down_at_alive",
                table: "sensors");

            migrationBuilder.DropIndex(
                name: "ix_sensors_late_at_up",
                table: "sensors");

            migrationBuilder.DropIndex(
                name: "ix_sensors_state",
                table: "sensors");

            migrationBuilder.DropIndex(
                name: "ix_sensors_tag_id",
                table: "sensors");

            migrationBuilder.DropIndex(
                name: "ix_sensors_tag_prefix",
                table: "sensors");

            migrationBuilder.DropIndex(
                name: "ux_sensors_tag_active",
                table: "sensors");

            migrationBuilder.DropColumn(
                name: "down_at",
                table: "sensors");

            migrationBuilder.DropColumn(
                name: "late_at",
                table: "sensors");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_tag_prefix",
                table: "sensors",
                column: "tag",
                unique: true,
                filter: "retired_at IS NULL")
                .Annotation("Npgsql:IndexOperators", new[] { "text_pattern_ops" });
        }
    }
}
