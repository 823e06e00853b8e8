using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class WritePath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Written by hand: EF's entity splitting would re-point the foreign keys to the new table and name its
            // primary key like the sensors table's. The bookkeeping moves with its data, in one transaction.
            migrationBuilder.Sql("""
                CREATE TABLE sensor_liveness (
                    sensor_id bigint NOT NULL,
                    state character varying(16) NOT NULL,
                    state_since timestamp with time zone NOT NULL,
                    first_heartbeat_at timestamp with time zone,
                    last_heartbeat_at timestamp with time zone,
                    last_received_at timestamp with time zone,
                    heartbeat_count bigint NOT NULL DEFAULT 0,
                    late_at timestamp with time zone,
                    down_at timestamp with time zone,
                    CONSTRAINT pk_sensor_liveness PRIMARY KEY (sensor_id),
                    CONSTRAINT fk_sensor_liveness_sensors_sensor_id FOREIGN KEY (sensor_id) REFERENCES sensors (id) ON DELETE CASCADE,
                    CONSTRAINT ck_sensor_liveness_state CHECK (state IN ('new', 'up', 'late', 'down', 'retired'))
                ) WITH (fillfactor = 70);

                INSERT INTO sensor_liveness (sensor_id, state, state_since, first_heartbeat_at, last_heartbeat_at,
                                             last_received_at, heartbeat_count, late_at, down_at)
                SELECT id, state, state_since, first_heartbeat_at, last_heartbeat_at, last_received_at, heartbeat_count, late_at, down_at
                FROM sensors;

                -- The sensor list's state filter; a heartbeat does not change a sensor's state, so updates stay HOT.
                CREATE INDEX ix_sensor_liveness_state_sensor_id ON sensor_liveness (state, sensor_id);

                DROP INDEX ix_sensors_state_last_received_id;
                DROP INDEX ix_sensors_down_at_active;
                DROP INDEX ix_sensors_down_at_alive;
                DROP INDEX ix_sensors_last_received_active;
                DROP INDEX ix_sensors_late_at_up;
                DROP INDEX ix_sensors_state_id;
                ALTER TABLE sensors DROP CONSTRAINT ck_sensors_state,
                    DROP COLUMN state, DROP COLUMN state_since, DROP COLUMN first_heartbeat_at, DROP COLUMN last_heartbeat_at,
                    DROP COLUMN last_received_at, DROP COLUMN heartbeat_count, DROP COLUMN late_at, DROP COLUMN down_at;

                -- What readers query: a sensor with its state and bookkeeping, as the sensors table held them before.
                CREATE VIEW sensor_status AS
                SELECT s.id, s.tag, s.labels, s.created_at, s.retired_at, s.replaced_by, s.key_hash,
                       s.expected_interval, s.grace, s.stale_after,
                       l.state, l.state_since, l.first_heartbeat_at, l.last_heartbeat_at, l.last_received_at,
                       l.heartbeat_count, l.late_at, l.down_at
                FROM sensors s JOIN sensor_liveness l ON l.sensor_id = s.id;

                -- State flips and at-risk crossings, written with the change that caused them and relayed to the bus.
                CREATE TABLE outbox_messages (
                    id bigint GENERATED ALWAYS AS IDENTITY,
                    message_id uuid NOT NULL DEFAULT gen_random_uuid(),
                    message_type character varying(100) NOT NULL,
                    payload jsonb NOT NULL,
                    created_at timestamp with time zone NOT NULL DEFAULT now(),
                    CONSTRAINT pk_outbox_messages PRIMARY KEY (id)
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TABLE outbox_messages;
                DROP VIEW sensor_status;
                ALTER TABLE sensors
                    ADD COLUMN state character varying(16) NOT NULL DEFAULT 'new',
                    ADD COLUMN state_since timestamp with time zone NOT NULL DEFAULT now(),
                    ADD COLUMN first_heartbeat_at timestamp with time zone, ADD COLUMN last_heartbeat_at timestamp with time zone,
                    ADD COLUMN last_received_at timestamp with time zone, ADD COLUMN heartbeat_count bigint NOT NULL DEFAULT 0,
                    ADD COLUMN late_at timestamp with time zone, ADD COLUMN down_at timestamp with time zone,
                    ADD CONSTRAINT ck_sensors_state CHECK (state IN ('new', 'up', 'late', 'down', 'retired'));
                UPDATE sensors s SET state = l.state, state_since = l.state_since, first_heartbeat_at = l.first_heartbeat_at,
                    last_heartbeat_at = l.last_heartbeat_at, last_received_at = l.last_received_at,
                    heartbeat_count = l.heartbeat_count, late_at = l.late_at, down_at = l.down_at
                FROM sensor_liveness l WHERE l.sensor_id = s.id;
                DROP TABLE sensor_liveness;
                CREATE INDEX ix_sensors_state_id ON sensors (state, id);
                CREATE INDEX ix_sensors_late_at_up ON sensors (late_at) WHERE state = 'up';
                CREATE INDEX ix_sensors_down_at_alive ON sensors (down_at) WHERE state IN ('up', 'late');
                CREATE INDEX ix_sensors_down_at_active ON sensors (down_at) WHERE retired_at IS NULL;
                CREATE INDEX ix_sensors_last_received_active ON sensors (last_received_at) WHERE retired_at IS NULL;
                CREATE INDEX ix_sensors_state_last_received_id ON sensors (state, (COALESCE(last_received_at, '-infinity'::timestamptz)), id);
                """);
        }
    }
}
