using Functions.ControlPlane.Apps;
using Functions.ControlPlane.Files;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Internal;
using Functions.ControlPlane.Logs;
using Functions.ControlPlane.Modules;
using Functions.ControlPlane.Workers;

var builder = WebApplication.CreateBuilder(args);
builder.AddControlPlane();

var app = builder.Build();
if (args is ["migrate", ..])
{
    // `dotnet Functions.ControlPlane.dll migrate`: apply migrations and exit without serving.
    return await app.MigrateDatabaseAsync();
}

app.UseControlPlane();
app.MapHealthApi();
app.MapModulesApi();
app.MapFilesApi();
app.MapAppsApi();
app.MapLogsApi();
app.MapWorkersApi();
app.MapInternalApi();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
