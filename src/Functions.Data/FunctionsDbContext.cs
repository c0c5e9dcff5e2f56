using Microsoft.EntityFrameworkCore;

namespace Functions.Data;

/// <summary>The control plane's database: Postgres is the truth of what should run.</summary>
public sealed class FunctionsDbContext(DbContextOptions<FunctionsDbContext> options) : DbContext(options)
{
    /// <summary>The assembly that holds the migrations; the model lives here, the migrations beside it.</summary>
    public const string MigrationsAssembly = "Functions.Migrations";

    public DbSet<StoredModule> Modules => Set<StoredModule>();

    public DbSet<Application> Applications => Set<Application>();

    public DbSet<Release> Releases => Set<Release>();

    public DbSet<ReleaseRoute> ReleaseRoutes => Set<ReleaseRoute>();

    public DbSet<ActiveRoute> ActiveRoutes => Set<ActiveRoute>();

    public DbSet<FileBundle> FileBundles => Set<FileBundle>();

    public DbSet<FileBundleChunk> FileBundleChunks => Set<FileBundleChunk>();

    public DbSet<FileBundleEntry> FileBundleEntries => Set<FileBundleEntry>();

    public DbSet<ReleaseRouteFile> ReleaseRouteFiles => Set<ReleaseRouteFile>();

    public DbSet<WorkerNode> WorkerNodes => Set<WorkerNode>();

    public DbSet<GenerationCounter> Generation => Set<GenerationCounter>();

    public DbSet<BootstrapKey> BootstrapKeys => Set<BootstrapKey>();

    /// <summary>Applies the provider settings every user of this context needs (migrations assembly, naming).</summary>
    public static void Configure(DbContextOptionsBuilder builder, string connectionString) =>
        builder
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly))
            .UseSnakeCaseNamingConvention();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredModule>(module =>
        {
            module.ToTable("modules");
            module.HasKey(m => m.Digest);
            module.Property(m => m.Digest).HasMaxLength(71);
            module.Property(m => m.Imports).HasJsonConversion();
            module.Property(m => m.SourceReference).HasMaxLength(1024);
            module.Property(m => m.SourceManifestDigest).HasMaxLength(135); // sha512:<128 hex> at most
            module.HasIndex(m => m.UploadedAt);
        });

        modelBuilder.Entity<Application>(app =>
        {
            app.ToTable("applications");
            app.Property(a => a.Name).HasMaxLength(63);
            app.HasIndex(a => a.Name).IsUnique();
            app.HasMany(a => a.Releases).WithOne(r => r.Application).HasForeignKey(r => r.ApplicationId)
                .OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Release>(release =>
        {
            release.ToTable("releases");
            // The guard against two concurrent deploys writing the same version: no lock in memory, a constraint.
            release.HasIndex(r => new { r.ApplicationId, r.Version }).IsUnique();
            release.HasMany(r => r.Routes).WithOne().HasForeignKey(r => r.ReleaseId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ReleaseRoute>(route =>
        {
            route.ToTable("release_routes");
            route.HasIndex(r => new { r.ReleaseId, r.Route }).IsUnique();
            route.HasIndex(r => r.ModuleDigest);
            route.Property(r => r.Environment).HasJsonConversion();
            route.Property(r => r.Volumes).HasJsonConversion();
            route.HasMany(r => r.Files).WithOne().HasForeignKey(f => f.ReleaseRouteId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<FileBundle>(bundle =>
        {
            bundle.ToTable("file_bundles");
            bundle.HasKey(b => b.Digest);
            bundle.Property(b => b.Digest).HasMaxLength(71);
            bundle.HasIndex(b => b.CreatedAt);
        });

        modelBuilder.Entity<FileBundleChunk>(chunk =>
        {
            chunk.ToTable("file_bundle_chunks");
            chunk.HasKey(c => new { c.Digest, c.Index });
            chunk.HasOne<FileBundle>().WithMany().HasForeignKey(c => c.Digest).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<FileBundleEntry>(entry =>
        {
            entry.ToTable("file_bundle_entries");
            // Not (digest, path): a path may be 4096 bytes, past what a btree index row holds.
            entry.HasKey(e => new { e.Digest, e.Ordinal });
            entry.Property(e => e.Kind).HasMaxLength(16);
            entry.HasOne<FileBundle>().WithMany().HasForeignKey(e => e.Digest).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ReleaseRouteFile>(file =>
        {
            file.ToTable("release_route_files");
            file.HasKey(f => new { f.ReleaseRouteId, f.Ordinal });
            file.Property(f => f.BundleDigest).HasMaxLength(71);
            file.HasOne<FileBundle>().WithMany().HasForeignKey(f => f.BundleDigest).OnDelete(DeleteBehavior.Restrict);
            file.HasIndex(f => f.BundleDigest);
        });

        modelBuilder.Entity<ActiveRoute>(active =>
        {
            active.ToTable("active_routes");
            active.HasKey(a => a.Route);
            active.HasOne<Application>().WithMany().HasForeignKey(a => a.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            active.HasOne<ReleaseRoute>().WithMany().HasForeignKey(a => a.ReleaseRouteId).OnDelete(DeleteBehavior.Cascade);
            active.HasOne<StoredModule>().WithMany().HasForeignKey(a => a.ModuleDigest).OnDelete(DeleteBehavior.Restrict);
            active.HasIndex(a => a.ApplicationId);
        });

        modelBuilder.Entity<WorkerNode>(worker =>
        {
            worker.ToTable("worker_nodes");
            worker.HasKey(w => w.NodeId);
            worker.Property(w => w.NodeId).HasMaxLength(253);
            worker.Property(w => w.FailedApps).HasJsonConversion().HasDefaultValueSql("'[]'::jsonb");
        });

        modelBuilder.Entity<GenerationCounter>(generation =>
        {
            generation.ToTable("generation", t => t.HasCheckConstraint("ck_generation_single_row", "id = 1"));
            generation.HasKey(g => g.Id);
            generation.Property(g => g.Id).ValueGeneratedNever();
            generation.HasData(new GenerationCounter { Id = GenerationCounter.SingletonId, Value = 0 });
        });

        modelBuilder.Entity<BootstrapKey>(key =>
        {
            key.ToTable("bootstrap_keys");
            key.HasKey(k => k.Name);
        });
    }
}
