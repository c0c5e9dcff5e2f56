using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Functions.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "applications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    active_version = table.Column<int>(type: "integer", nullable: true),
                    activated_generation = table.Column<long>(type: "bigint", nullable: false),
                    activated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_applications", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "bootstrap_keys",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false),
                    sha256 = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bootstrap_keys", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "generation",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    value = table.Column<long>(type: "bigint", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_generation", x => x.id);
                    table.CheckConstraint("ck_generation_single_row", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "modules",
                columns: table => new
                {
                    digest = table.Column<string>(type: "character varying(71)", maxLength: 71, nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    uploaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    exports = table.Column<List<string>>(type: "text[]", nullable: false),
                    entrypoints = table.Column<List<string>>(type: "text[]", nullable: false),
                    imports = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_modules", x => x.digest);
                });

            migrationBuilder.CreateTable(
                name: "worker_nodes",
                columns: table => new
                {
                    node_id = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    address = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<string>(type: "text", nullable: false),
                    first_seen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_heartbeat = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    applied_generation = table.Column<long>(type: "bigint", nullable: false),
                    failed_generation = table.Column<long>(type: "bigint", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_worker_nodes", x => x.node_id);
                });

            migrationBuilder.CreateTable(
                name: "releases",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    application_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_generation = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_releases", x => x.id);
                    table.ForeignKey(
                        name: "fk_releases_applications_application_id",
                        column: x => x.application_id,
                        principalTable: "applications",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "release_routes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    release_id = table.Column<long>(type: "bigint", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    route = table.Column<string>(type: "text", nullable: false),
                    module_digest = table.Column<string>(type: "text", nullable: false),
                    entrypoint = table.Column<string>(type: "text", nullable: false),
                    environment = table.Column<string>(type: "jsonb", nullable: false),
                    argv = table.Column<string>(type: "text", nullable: true),
                    volumes = table.Column<string>(type: "jsonb", nullable: false),
                    timeout_ms = table.Column<int>(type: "integer", nullable: false),
                    memory_mb = table.Column<int>(type: "integer", nullable: false),
                    max_body_bytes = table.Column<long>(type: "bigint", nullable: false),
                    max_concurrency = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_release_routes", x => x.id);
                    table.ForeignKey(
                        name: "fk_release_routes_releases_release_id",
                        column: x => x.release_id,
                        principalTable: "releases",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "active_routes",
                columns: table => new
                {
                    route = table.Column<string>(type: "text", nullable: false),
                    application_id = table.Column<long>(type: "bigint", nullable: false),
                    release_route_id = table.Column<long>(type: "bigint", nullable: false),
                    module_digest = table.Column<string>(type: "character varying(71)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_active_routes", x => x.route);
                    table.ForeignKey(
                        name: "fk_active_routes_applications_application_id",
                        column: x => x.application_id,
                        principalTable: "applications",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_active_routes_modules_module_digest",
                        column: x => x.module_digest,
                        principalTable: "modules",
                        principalColumn: "digest",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_active_routes_release_routes_release_route_id",
                        column: x => x.release_route_id,
                        principalTable: "release_routes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "generation",
                columns: new[] { "id", "changed_at", "value" },
                values: new object[] { 1, null, 0L });

            migrationBuilder.CreateIndex(
                name: "ix_active_routes_application_id",
                table: "active_routes",
                column: "application_id");

            migrationBuilder.CreateIndex(
                name: "ix_active_routes_module_digest",
                table: "active_routes",
                column: "module_digest");

            migrationBuilder.CreateIndex(
                name: "ix_active_routes_release_route_id",
                table: "active_routes",
                column: "release_route_id");

            migrationBuilder.CreateIndex(
                name: "ix_applications_name",
                table: "applications",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_modules_uploaded_at",
                table: "modules",
                column: "uploaded_at");

            migrationBuilder.CreateIndex(
                name: "ix_release_routes_module_digest",
                table: "release_routes",
                column: "module_digest");

            migrationBuilder.CreateIndex(
                name: "ix_release_routes_release_id_route",
                table: "release_routes",
                columns: new[] { "release_id", "route" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_releases_application_id_version",
                table: "releases",
                columns: new[] { "application_id", "version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "active_routes");

            migrationBuilder.DropTable(
                name: "bootstrap_keys");

            migrationBuilder.DropTable(
                name: "generation");

            migrationBuilder.DropTable(
                name: "worker_nodes");

            migrationBuilder.DropTable(
                name: "modules");

            migrationBuilder.DropTable(
                name: "release_routes");

            migrationBuilder.DropTable(
                name: "releases");

            migrationBuilder.DropTable(
                name: "applications");
        }
    }
}
