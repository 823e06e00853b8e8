using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SensorListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sensors_state",
                table: "sensors");

            migrationBuilder.DropIndex(
                name: "ix_sensors_tag_id",
                table: "sensors");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_state_id",
                table: "sensors",
                columns: new[] { "state", "id" });

            // Sorting by tag pages in byte order, where a tag prefix is an index range under any database collation.
            migrationBuilder.Sql("""CREATE INDEX ix_sensors_tag_c_id ON sensors ((tag COLLATE "C"), id);""");
            // A state filter sorted by last receipt (e.g. the down sensors, most recently heard first).
            migrationBuilder.Sql("CREATE INDEX ix_sensors_state_last_received_id ON sensors (state, (COALESCE(last_received_at, '-infinity'::timestamptz)), id);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_sensors_state_last_received_id;");
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_sensors_tag_c_id;");
            migrationBuilder.DropIndex(
                name: "ix_sensors_state_id",
                table: "sensors");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_state",
                table: "sensors",
                column: "state");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_tag_id",
                table: "sensors",
                columns: new[] { "tag", "id" });
        }
    }
}
