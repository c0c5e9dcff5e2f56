using Functions.Testing;
using Microsoft.EntityFrameworkCore;

namespace Functions.ControlPlane.Tests.Infrastructure;

/// <summary>The test Postgres is real and EF Core with Npgsql talks to it: rows survive a round trip.</summary>
public sealed class PostgresSmokeTests : IAsyncLifetime
{
    private string connectionString = "";

    public async Task InitializeAsync()
    {
        var services = await PlatformServices.GetAsync();
        connectionString = await services.CreateDatabaseAsync("postgres_smoke");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Rows_saved_through_EF_Core_are_read_back_by_a_new_context()
    {
        await using (var context = NewContext())
        {
            Assert.True(await context.Database.EnsureCreatedAsync(), "a fresh database has no schema yet");
            context.Notes.AddRange(new Note { Text = "first" }, new Note { Text = "second, with ü" });
            await context.SaveChangesAsync();
        }

        await using (var context = NewContext())
        {
            var texts = await context.Notes.OrderBy(n => n.Id).Select(n => n.Text).ToListAsync();
            Assert.Equal(["first", "second, with ü"], texts);
        }
    }

    private SmokeContext NewContext() =>
        new(new DbContextOptionsBuilder<SmokeContext>().UseNpgsql(connectionString).Options);

    private sealed class SmokeContext(DbContextOptions<SmokeContext> options) : DbContext(options)
    {
        public DbSet<Note> Notes => Set<Note>();
    }

    private sealed class Note
    {
        public int Id { get; set; }

        public required string Text { get; set; }
    }
}
