using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Functions.Migrations;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the control plane. Adding a migration
/// never connects; commands that do (<c>database update</c>) read <c>ConnectionStrings__Postgres</c>.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<FunctionsDbContext>
{
    public FunctionsDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
            ?? "Host=localhost;Database=functions;Username=postgres";
        var builder = new DbContextOptionsBuilder<FunctionsDbContext>();
        FunctionsDbContext.Configure(builder, connectionString);
        return new FunctionsDbContext(builder.Options);
    }
}
