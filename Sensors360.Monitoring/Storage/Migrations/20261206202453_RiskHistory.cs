using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class RiskHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A sensor's scores over time, for the risk panel's chart: written by the scoring pass (RiskStore) when the
            // 7-day risk moved by a point or more, or an hour after the last row, so a fleet scored every 5 minutes adds
            // at most 24 rows per sensor per day. Only SQL reads and writes it, so it is not in the EF model.
            migrationBuilder.Sql("""
                CREATE TABLE sensor_risk_history (
                    sensor_id bigint NOT NULL REFERENCES sensors (id) ON DELETE CASCADE,
                    scored_at timestamptz NOT NULL,
                    risk_7d real NOT NULL,
                    risk_30d real NOT NULL,
                    PRIMARY KEY (sensor_id, scored_at));
                CREATE INDEX ix_sensor_risk_history_scored_at ON sensor_risk_history (scored_at);

                -- Deletes up to batch_size history rows scored before horizon (RowRetention). Returns how many it deleted.
                CREATE FUNCTION prune_sensor_risk_history(horizon timestamptz, batch_size integer)
                RETURNS integer LANGUAGE sql AS $$
                    WITH gone AS (
                        DELETE FROM sensor_risk_history WHERE ctid IN (
                            SELECT ctid FROM sensor_risk_history WHERE scored_at < horizon ORDER BY scored_at LIMIT batch_size)
                        RETURNING 1
                    )
                    SELECT count(*)::integer FROM gone
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION prune_sensor_risk_history(timestamptz, integer);
                DROP TABLE sensor_risk_history;
                """);
        }
    }
}
