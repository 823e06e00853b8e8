using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class WebhooksMoved : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Webhooks now belong to the alerting service. Where the AppHost's provisioning moved the table into the
            // alerting schema this finds nothing; an empty table (a new database) is dropped; one with rows is kept
            // for that move, which then takes it whole.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    IF to_regclass('public.webhooks') IS NOT NULL AND NOT EXISTS (SELECT FROM public.webhooks) THEN
                        DROP TABLE public.webhooks;
                    END IF;
                END $$
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhooks",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    deliveries_failed = table.Column<long>(type: "bigint", nullable: false),
                    deliveries_succeeded = table.Column<long>(type: "bigint", nullable: false),
                    events = table.Column<string[]>(type: "text[]", nullable: false, comment: "Target states to deliver; empty = all."),
                    last_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    last_status_code = table.Column<int>(type: "integer", nullable: true),
                    last_success_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    secret = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, comment: "Shared HMAC-SHA256 signing secret, shown once at creation; plain text because signing needs it."),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhooks", x => x.id);
                });
        }
    }
}
