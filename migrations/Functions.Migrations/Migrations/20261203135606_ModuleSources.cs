using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Functions.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ModuleSources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "source_manifest_digest",
                table: "modules",
                type: "character varying(135)",
                maxLength: 135,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "source_pulled_at",
                table: "modules",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "source_reference",
                table: "modules",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "source_manifest_digest",
                table: "modules");

            migrationBuilder.DropColumn(
                name: "source_pulled_at",
                table: "modules");

            migrationBuilder.DropColumn(
                name: "source_reference",
                table: "modules");
        }
    }
}
