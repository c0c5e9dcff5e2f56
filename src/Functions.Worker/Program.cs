using Functions.Worker.Hosting;

// Before anything allocates natively from other threads (see MallocArenas).
var arenas = MallocArenas.Limit();

var builder = WebApplication.CreateBuilder(args);
builder.AddWorker();

var app = builder.Build();
MallocArenas.Log(app.Logger, arenas);
app.MapWorker();
app.Run();

/// <summary>The worker host; public so tests can start it with WebApplicationFactory.</summary>
public partial class Program;
