using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class WorkerWatermarks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Each worker's watermark, reported every half second (Monitor.Worker's FleetWatermark); null while the
            // worker cannot tell how far its storing has got. Unlogged: after a crash the workers report afresh.
            migrationBuilder.Sql("""
                CREATE UNLOGGED TABLE worker_watermarks (
                    worker uuid PRIMARY KEY,
                    watermark timestamptz,
                    reported_at timestamptz NOT NULL
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE worker_watermarks;");
        }
    }
}
