using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Functions.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class OutboundHttp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Releases deployed before these settings existed allowed no network: no origins, the default concurrency.
            migrationBuilder.AddColumn<List<string>>(
                name: "allowed_hosts",
                table: "release_routes",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<int>(
                name: "max_outbound_concurrency",
                table: "release_routes",
                type: "integer",
                nullable: false,
                defaultValue: 8);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "allowed_hosts",
                table: "release_routes");

            migrationBuilder.DropColumn(
                name: "max_outbound_concurrency",
                table: "release_routes");
        }
    }
}
