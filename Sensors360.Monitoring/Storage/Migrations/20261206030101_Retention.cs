using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Retention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_sensor_state_changes_at_id",
                table: "sensor_state_changes",
                columns: new[] { "at", "id" });

            // What retention may delete, once: Monitor.Worker's RowRetention calls these in a loop, one batch per call,
            // so that each call is a short transaction of its own that locks at most batch_size rows.
            migrationBuilder.Sql("""
                -- Examines up to batch_size state changes before horizon, in (at, id) order after (after_at, after_id), and
                -- deletes those that are not their sensor's latest before the horizon: that one gives the sensor's state
                -- there, which a window's uptime starts from (and it is the current state of a sensor quiet since). Returns
                -- how many it deleted and the last change it examined (nulls when none was left), where the next call starts.
                CREATE FUNCTION prune_sensor_state_changes(horizon timestamptz, after_at timestamptz, after_id bigint, batch_size integer)
                RETURNS TABLE (deleted integer, last_at timestamptz, last_id bigint) LANGUAGE sql AS $$
                    WITH examined AS (
                        SELECT c.id, c.sensor_id, c.at FROM sensor_state_changes c
                        WHERE c.at < horizon AND (c.at, c.id) > (after_at, after_id)
                        ORDER BY c.at, c.id
                        LIMIT batch_size
                    ), gone AS (
                        DELETE FROM sensor_state_changes d USING examined e
                        WHERE d.id = e.id AND EXISTS (
                            SELECT FROM sensor_state_changes later
                            WHERE later.sensor_id = e.sensor_id AND later.at < horizon AND (later.at, later.id) > (e.at, e.id))
                        RETURNING 1
                    )
                    SELECT (SELECT count(*)::integer FROM gone), reached.at, reached.id
                    FROM (SELECT 1) one LEFT JOIN (SELECT at, id FROM examined ORDER BY at DESC, id DESC LIMIT 1) reached ON true
                $$;

                -- Deletes up to batch_size risk models fitted before horizon, never the newest: the model in use, which
                -- GET /api/maintenance/model describes and a restarted worker scores with. Returns how many it deleted.
                CREATE FUNCTION prune_risk_models(horizon timestamptz, batch_size integer)
                RETURNS integer LANGUAGE sql AS $$
                    WITH gone AS (
                        DELETE FROM risk_models WHERE id IN (
                            SELECT id FROM risk_models
                            WHERE fitted_at < horizon
                              AND id <> (SELECT newest.id FROM risk_models newest ORDER BY newest.fitted_at DESC, newest.id DESC LIMIT 1)
                            ORDER BY fitted_at
                            LIMIT batch_size)
                        RETURNING 1
                    )
                    SELECT count(*)::integer FROM gone
                $$;

                -- Deletes up to batch_size risk scores of retired sensors: a retired sensor is no longer scored, so its last
                -- score says nothing. (A scoring pass drops them too; this also covers a worker with prediction disabled.)
                CREATE FUNCTION prune_retired_sensor_risks(batch_size integer)
                RETURNS integer LANGUAGE sql AS $$
                    WITH gone AS (
                        DELETE FROM sensor_risks WHERE sensor_id IN (
                            SELECT r.sensor_id FROM sensor_risks r JOIN sensors s ON s.id = r.sensor_id
                            WHERE s.retired_at IS NOT NULL
                            LIMIT batch_size)
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
                DROP FUNCTION prune_retired_sensor_risks(integer);
                DROP FUNCTION prune_risk_models(timestamptz, integer);
                DROP FUNCTION prune_sensor_state_changes(timestamptz, timestamptz, bigint, integer);
                """);

            migrationBuilder.DropIndex(
                name: "ix_sensor_state_changes_at_id",
                table: "sensor_state_changes");
        }
    }
}
