using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Functions.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class FileBundles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "file_bundles",
                columns: table => new
                {
                    digest = table.Column<string>(type: "character varying(71)", maxLength: 71, nullable: false),
                    unpacked_size = table.Column<long>(type: "bigint", nullable: false),
                    file_count = table.Column<int>(type: "integer", nullable: false),
                    entry_count = table.Column<int>(type: "integer", nullable: false),
                    canonical_size = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_file_bundles", x => x.digest);
                });

            migrationBuilder.CreateTable(
                name: "file_bundle_chunks",
                columns: table => new
                {
                    digest = table.Column<string>(type: "character varying(71)", nullable: false),
                    index = table.Column<int>(type: "integer", nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_file_bundle_chunks", x => new { x.digest, x.index });
                    table.ForeignKey(
                        name: "fk_file_bundle_chunks_file_bundles_digest",
                        column: x => x.digest,
                        principalTable: "file_bundles",
                        principalColumn: "digest",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "file_bundle_entries",
                columns: table => new
                {
                    digest = table.Column<string>(type: "character varying(71)", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    path = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    mode = table.Column<int>(type: "integer", nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    link_target = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_file_bundle_entries", x => new { x.digest, x.ordinal });
                    table.ForeignKey(
                        name: "fk_file_bundle_entries_file_bundles_digest",
                        column: x => x.digest,
                        principalTable: "file_bundles",
                        principalColumn: "digest",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "release_route_files",
                columns: table => new
                {
                    release_route_id = table.Column<long>(type: "bigint", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    guest_path = table.Column<string>(type: "text", nullable: false),
                    bundle_digest = table.Column<string>(type: "character varying(71)", maxLength: 71, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_release_route_files", x => new { x.release_route_id, x.ordinal });
                    table.ForeignKey(
                        name: "fk_release_route_files_file_bundles_bundle_digest",
                        column: x => x.bundle_digest,
                        principalTable: "file_bundles",
                        principalColumn: "digest",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_release_route_files_release_routes_release_route_id",
                        column: x => x.release_route_id,
                        principalTable: "release_routes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_file_bundles_created_at",
                table: "file_bundles",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_release_route_files_bundle_digest",
                table: "release_route_files",
                column: "bundle_digest");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "file_bundle_chunks");

            migrationBuilder.DropTable(
                name: "file_bundle_entries");

            migrationBuilder.DropTable(
                name: "release_route_files");

            migrationBuilder.DropTable(
                name: "file_bundles");
        }
    }
}
