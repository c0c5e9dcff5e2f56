using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Functions.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class WorkerFailedApps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "failed_apps",
                table: "worker_nodes",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "failed_apps",
                table: "worker_nodes");
        }
    }
}
