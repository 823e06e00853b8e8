using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Realtime.Gateway.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class NameLockouts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "name_lockouts",
                schema: "identity",
                columns: table => new
                {
                    name_hash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    failed_count = table.Column<int>(type: "integer", nullable: false),
                    locked_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_failure_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_name_lockouts", x => x.name_hash);
                });

            migrationBuilder.CreateIndex(
                name: "ix_name_lockouts_last_failure_at",
                schema: "identity",
                table: "name_lockouts",
                column: "last_failure_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "name_lockouts",
                schema: "identity");
        }
    }
}
