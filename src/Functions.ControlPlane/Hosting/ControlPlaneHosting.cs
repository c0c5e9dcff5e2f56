using Functions.ControlPlane.Apps;
using Functions.ControlPlane.Apps.Checks;
using Functions.ControlPlane.Data;
using Functions.ControlPlane.Files;
using Functions.ControlPlane.Internal;
using Functions.ControlPlane.Logs;
using Functions.ControlPlane.Messaging;
using Functions.ControlPlane.Modules.Registries;
using Functions.ControlPlane.Observability;
using Functions.ControlPlane.OpenApi;
using Functions.ControlPlane.Security;
using Functions.ControlPlane.Workers;
using Functions.Data;
using Functions.Messaging;
using Functions.Modules;
using Functions.Runtime;
using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Hosting;

/// <summary>Registers and wires the control plane, so that Program.cs stays a table of contents.</summary>
public static class ControlPlaneHosting
{
    public const string AdminKeyVariable = "FUNCTIONS_ADMIN_KEY";
    public const string WorkerKeyVariable = "FUNCTIONS_WORKER_KEY";

    public static WebApplicationBuilder AddControlPlane(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ControlPlaneOptions>()
            .BindConfiguration(ControlPlaneOptions.Section)
            .PostConfigure(options =>
            {
                // The documented environment variables win over configuration files.
                options.AdminKey = NonEmpty(Environment.GetEnvironmentVariable(AdminKeyVariable)) ?? NonEmpty(options.AdminKey);
                options.WorkerKey = NonEmpty(Environment.GetEnvironmentVariable(WorkerKeyVariable)) ?? NonEmpty(options.WorkerKey);
                options.VolumesRoot = NonEmpty(options.VolumesRoot);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ControlPlaneOptions>, ControlPlaneOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        // Connection strings are read when first needed, so that tests and hosts may supply them late.
        services.AddDbContextPool<FunctionsDbContext>((provider, options) =>
            FunctionsDbContext.Configure(options, ConnectionStrings.RequirePostgres(provider.GetRequiredService<IConfiguration>())));
        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<Deployments>();
        services.AddScoped<DesiredStateReader>();
        services.TryAddSingleton<IFileBundleStore, PostgresFileBundleStore>();
        services.AddScoped<WorkerRegistry>();
        services.AddSingleton<WorkerExpiry>();
        services.AddHostedService(provider => provider.GetRequiredService<WorkerExpiry>());
        services.AddSingleton<DesiredStateCache>();
        services.AddSingleton<CurrentGeneration>();
        services.AddSingleton<WorkerHeartbeats>();
        services.AddHostedService(provider => provider.GetRequiredService<WorkerHeartbeats>());
        services.AddSingleton<ModuleInspector>();
        services.AddScoped<Modules.ModuleStore>();
        services.AddModuleRegistries();
        services.AddOptions<DeployCheckOptions>().BindConfiguration(DeployCheckOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DeployChecker>();
        // The workers' runtime section, which the deploy checks build their engine from: wrong values fail start-up.
        services.AddOptions<RuntimeOptions>().BindConfiguration(RuntimeOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>();
        services.AddSingleton<ApiKeys>();
        services.TryAddSingleton(new OperatorConsole(Console.Error));
        services.AddHostedService<StartupTasks>();

        services.AddSingleton<PullSpread>();
        services.AddSingleton<DesiredStateNotifier>();
        services.AddHostedService(provider => provider.GetRequiredService<DesiredStateNotifier>());
        services.AddMassTransit(bus =>
        {
            // On by default, it reports usage to MassTransit's vendor: a self-hosted platform does not phone home.
            bus.DisableUsageTelemetry();
            bus.AddConsumer<FunctionLogsConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                RabbitMqConnection.Parse(ConnectionStrings.RequireRabbitMq(context.GetRequiredService<IConfiguration>())).Apply(rabbit);
                rabbit.AddLogsEndpoint(context);
            });
        });
        services.AddControlPlaneLogs();

        services.AddProblemDetails();
        services.AddAuthentication(ApiKeyRoles.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyRoles.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyRoles.AdminPolicy, policy => policy.RequireRole(ApiKeyRoles.Admin))
            .AddPolicy(ApiKeyRoles.WorkerPolicy, policy => policy.RequireRole(ApiKeyRoles.Worker, ApiKeyRoles.Admin));
        services.AddHealthChecks().AddCheck<DatabaseReadyHealthCheck>("database", tags: [ReadyTag]);
        services.AddControlPlaneSwagger();
        builder.AddControlPlaneObservability();
        return builder;
    }

    /// <summary>Middleware: problem details for every error, authentication, Swagger UI at /swagger when enabled.</summary>
    public static WebApplication UseControlPlane(this WebApplication app)
    {
        app.UseControlPlaneObservability();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseControlPlaneSwagger();
        return app;
    }

    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the database answers and is migrated.</summary>
    public static WebApplication MapHealthApi(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) })
            .AllowAnonymous();
        return app;
    }

    /// <summary>The <c>migrate</c> command: apply pending migrations (under the advisory lock) and exit.</summary>
    public static async Task<int> MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        return 0;
    }

    // Our own tag: MassTransit tags its bus check "ready" too, and a broker outage must not make us unready.
    private const string ReadyTag = "functions-database";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
