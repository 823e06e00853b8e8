using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class StateRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The sensor state machine, once: every statement that sets a deadline or a state, or counts the stale, calls
            // these. The planner inlines single-expression SQL functions, so a call costs what the expression written
            // out would; the deadlines are STABLE, not IMMUTABLE, because timestamptz + interval depends on the time
            // zone and an IMMUTABLE wrapper around it would not be inlined. A sensor's own timing wins; null takes the
            // default passed in.
            migrationBuilder.Sql("""
                CREATE FUNCTION sensor_late_at(heard_at timestamptz, expected_interval interval, grace interval,
                                               default_interval interval, default_grace interval)
                RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE
                RETURN heard_at + COALESCE(expected_interval, default_interval) + COALESCE(grace, default_grace);

                -- Also when a never-heard sensor turns stale, counted from its registration.
                CREATE FUNCTION sensor_down_at(heard_at timestamptz, stale_after interval, default_stale interval)
                RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE
                RETURN heard_at + COALESCE(stale_after, default_stale);

                CREATE FUNCTION sensor_state_after_heartbeat(state text)
                RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
                RETURN CASE WHEN state = 'retired' THEN state ELSE 'up' END;

                -- Where a sensor's deadlines have taken it as of a moment: up → late → down; new, down and retired stay.
                -- Strictly after the deadline: silent for exactly the threshold is not yet stale (docs/analytics.md).
                CREATE FUNCTION sensor_state_as_of(state text, late_at timestamptz, down_at timestamptz, as_of timestamptz)
                RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
                RETURN CASE WHEN state IN ('up', 'late') AND down_at < as_of THEN 'down'
                            WHEN state = 'up' AND late_at < as_of THEN 'late'
                            ELSE state END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION sensor_state_as_of(text, timestamptz, timestamptz, timestamptz);
                DROP FUNCTION sensor_state_after_heartbeat(text);
                DROP FUNCTION sensor_down_at(timestamptz, interval, interval);
                DROP FUNCTION sensor_late_at(timestamptz, interval, interval, interval, interval);
                """);
        }
    }
}
