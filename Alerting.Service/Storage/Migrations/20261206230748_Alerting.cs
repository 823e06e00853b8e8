using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Alerting.Service.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Alerting : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "alerting");

            migrationBuilder.CreateTable(
                name: "alert_channels",
                schema: "alerting",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true, comment: "A chat channel's incoming-webhook URL; it authorises posting, so it is shown by host only."),
                    recipients = table.Column<string[]>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_success_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    failed_attempts = table.Column<int>(type: "integer", nullable: false),
                    retry_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    deliveries_succeeded = table.Column<long>(type: "bigint", nullable: false),
                    deliveries_failed = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_channels", x => x.id);
                },
                comment: "Email and chat destinations of grouped alerts, and the state of their deliveries.");

            migrationBuilder.CreateTable(
                name: "alert_rules",
                schema: "alerting",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    events = table.Column<string[]>(type: "text[]", nullable: false),
                    labels = table.Column<Dictionary<string, string>>(type: "jsonb", nullable: false),
                    channel_ids = table.Column<long[]>(type: "bigint[]", nullable: false),
                    group_window_seconds = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_rules", x => x.id);
                },
                comment: "Routes events by kind and label selector to alert channels.");

            migrationBuilder.CreateTable(
                name: "audit_entries",
                schema: "alerting",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    actor_role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    target = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    details = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_entries", x => x.id);
                },
                comment: "Operators' changes to webhooks, alert channels and rules: who, when, from where, what changed.");

            // Where the AppHost's provisioning moved the worker's webhooks table here (an upgrade), it is kept as it is.
            migrationBuilder.Sql("""
                CREATE TABLE IF NOT EXISTS alerting.webhooks (
                    id bigint GENERATED ALWAYS AS IDENTITY,
                    url character varying(2000) NOT NULL,
                    events text[] NOT NULL,
                    secret character varying(100) NOT NULL,
                    created_at timestamp with time zone NOT NULL,
                    last_attempt_at timestamp with time zone NULL,
                    last_status_code integer NULL,
                    last_error text NULL,
                    last_success_at timestamp with time zone NULL,
                    deliveries_succeeded bigint NOT NULL,
                    deliveries_failed bigint NOT NULL,
                    CONSTRAINT pk_webhooks PRIMARY KEY (id));
                COMMENT ON COLUMN alerting.webhooks.events IS 'Target states to deliver; empty = all.';
                COMMENT ON COLUMN alerting.webhooks.secret IS 'Shared HMAC-SHA256 signing secret, shown once at creation; plain text because signing needs it.';
                """);

            migrationBuilder.CreateTable(
                name: "alert_deliveries",
                schema: "alerting",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    channel_id = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    succeeded = table.Column<bool>(type: "boolean", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    alerts = table.Column<int>(type: "integer", nullable: false),
                    subject = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_alert_deliveries_alert_channels_channel_id",
                        column: x => x.channel_id,
                        principalSchema: "alerting",
                        principalTable: "alert_channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                },
                comment: "Messages delivered to or given up on alert channels; kept for DeliveryOptions.KeepDeliveriesFor.");

            migrationBuilder.CreateTable(
                name: "pending_alerts",
                schema: "alerting",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    channel_id = table.Column<long>(type: "bigint", nullable: false),
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    @event = table.Column<string>(name: "event", type: "character varying(16)", maxLength: 16, nullable: false),
                    sensor_id = table.Column<long>(type: "bigint", nullable: true),
                    tag = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    from_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pending_alerts", x => x.id);
                    table.ForeignKey(
                        name: "fk_pending_alerts_alert_channels_channel_id",
                        column: x => x.channel_id,
                        principalSchema: "alerting",
                        principalTable: "alert_channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                },
                comment: "Events waiting to go out to a channel, grouped per channel into one message.");

            migrationBuilder.CreateIndex(
                name: "ix_alert_channels_name",
                schema: "alerting",
                table: "alert_channels",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_alert_deliveries_at",
                schema: "alerting",
                table: "alert_deliveries",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_alert_deliveries_channel_id",
                schema: "alerting",
                table: "alert_deliveries",
                column: "channel_id");

            migrationBuilder.CreateIndex(
                name: "ix_alert_rules_name",
                schema: "alerting",
                table: "alert_rules",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_action_at",
                schema: "alerting",
                table: "audit_entries",
                columns: new[] { "action", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_actor_at",
                schema: "alerting",
                table: "audit_entries",
                columns: new[] { "actor", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_at_id",
                schema: "alerting",
                table: "audit_entries",
                columns: new[] { "at", "id" },
                descending: new bool[0]);

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_target_at",
                schema: "alerting",
                table: "audit_entries",
                columns: new[] { "target", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_pending_alerts_channel_id_event_id",
                schema: "alerting",
                table: "pending_alerts",
                columns: new[] { "channel_id", "event_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pending_alerts_due_at",
                schema: "alerting",
                table: "pending_alerts",
                column: "due_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_deliveries",
                schema: "alerting");

            migrationBuilder.DropTable(
                name: "alert_rules",
                schema: "alerting");

            migrationBuilder.DropTable(
                name: "audit_entries",
                schema: "alerting");

            migrationBuilder.DropTable(
                name: "pending_alerts",
                schema: "alerting");

            migrationBuilder.DropTable(
                name: "webhooks",
                schema: "alerting");

            migrationBuilder.DropTable(
                name: "alert_channels",
                schema: "alerting");
        }
    }
}
