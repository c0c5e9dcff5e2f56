using Functions.Worker.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddWorker();

var app = builder.Build();
app.MapWorker();
app.Run();

/// <summary>The worker host; public so tests can start it with WebApplicationFactory.</summary>
public partial class Program;
