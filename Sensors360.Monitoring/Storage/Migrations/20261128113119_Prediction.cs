using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Prediction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "risk_models",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    fitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    examples = table.Column<int>(type: "integer", nullable: false),
                    failures = table.Column<int>(type: "integer", nullable: false),
                    means = table.Column<double[]>(type: "double precision[]", nullable: false),
                    scales = table.Column<double[]>(type: "double precision[]", nullable: false),
                    weights = table.Column<double[]>(type: "double precision[]", nullable: false),
                    weibull_shape = table.Column<double>(type: "double precision", nullable: false),
                    weibull_scale_days = table.Column<double>(type: "double precision", nullable: false),
                    age_curve_kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_risk_models", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sensor_risks",
                columns: table => new
                {
                    sensor_id = table.Column<long>(type: "bigint", nullable: false),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    risk_7d = table.Column<double>(type: "double precision", nullable: false),
                    risk_30d = table.Column<double>(type: "double precision", nullable: false),
                    window_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    window_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    at_risk_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    reasons = table.Column<string[]>(type: "text[]", nullable: false),
                    features = table.Column<string>(type: "jsonb", nullable: false),
                    contributions = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sensor_risks", x => x.sensor_id);
                    table.ForeignKey(
                        name: "fk_sensor_risks_sensors_sensor_id",
                        column: x => x.sensor_id,
                        principalTable: "sensors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_risk_models_fitted_at",
                table: "risk_models",
                column: "fitted_at");

            migrationBuilder.CreateIndex(
                name: "ix_sensor_risks_risk_7d",
                table: "sensor_risks",
                column: "risk_7d",
                descending: new bool[0]);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "risk_models");

            migrationBuilder.DropTable(
                name: "sensor_risks");
        }
    }
}
