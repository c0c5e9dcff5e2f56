using System.Globalization;

namespace Functions.FleetSim;

/// <summary>The simulator's command line (see <see cref="Usage"/>).</summary>
internal sealed record SimOptions
{
    public const string Usage = """
        functions-fleet-sim --control-plane URL --worker-key KEY --admin-key KEY --rabbitmq AMQP-URI --module FILE.wasm
                            [--nodes 50] [--deploys 5] [--steady 30] [--apply-delay 200] [--heartbeat 10] [--poll 30] [--pull-jitter 1000]
                            [--postgres CONNECTION-STRING] [--control-plane-pid PID] [--rabbit-management URL] [--label TEXT]
          Starts N simulated workers, waits until every one reports the current generation, measures the steady
          heartbeat load for --steady seconds, then deploys --deploys times (a new module each time: FILE.wasm with
          a custom section naming the run) and reports, per deploy, PUT → notified and PUT → applied for every node.
          Times in --apply-delay and --pull-jitter (ms: the worker's Worker:PullJitter), --heartbeat and --poll (s). --postgres, --control-plane-pid and
          --rabbit-management add queries, CPU and broker memory to the report. Markdown on stdout.
          Keys and connection strings may be given as FLEET_WORKER_KEY, FLEET_ADMIN_KEY, FLEET_RABBITMQ,
          FLEET_POSTGRES and FLEET_RABBIT_MANAGEMENT instead (arguments are visible in ps).
        """;

    public required Uri ControlPlane { get; init; }
    public required string WorkerKey { get; init; }
    public required string AdminKey { get; init; }
    public required string RabbitMq { get; init; }
    public required string Module { get; init; }
    public int Nodes { get; init; } = 50;
    public int Deploys { get; init; } = 5;
    public TimeSpan Steady { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ApplyDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan PullJitter { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan BusStartTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public string? Postgres { get; init; }
    public int? ControlPlanePid { get; init; }
    public Uri? RabbitManagement { get; init; }
    public string Label { get; init; } = "";

    public static SimOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value pairs; got '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        // Secrets (keys, connection strings) may come from FLEET_<NAME> instead: arguments are visible to every user in ps.
        foreach (var name in new[] { "worker-key", "admin-key", "rabbitmq", "postgres", "rabbit-management" })
        {
            if (!values.ContainsKey(name) && Environment.GetEnvironmentVariable("FLEET_" + name.ToUpperInvariant().Replace('-', '_')) is { Length: > 0 } v)
            {
                values[name] = v;
            }
        }

        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        double Number(string name, double fallback) =>
            values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

        return new SimOptions
        {
            ControlPlane = new Uri(Required("control-plane")),
            WorkerKey = Required("worker-key"),
            AdminKey = Required("admin-key"),
            RabbitMq = Required("rabbitmq"),
            Module = Required("module"),
            Nodes = (int)Number("nodes", 50),
            Deploys = (int)Number("deploys", 5),
            Steady = TimeSpan.FromSeconds(Number("steady", 30)),
            ApplyDelay = TimeSpan.FromMilliseconds(Number("apply-delay", 200)),
            HeartbeatInterval = TimeSpan.FromSeconds(Number("heartbeat", 10)),
            PollInterval = TimeSpan.FromSeconds(Number("poll", 30)),
            PullJitter = TimeSpan.FromMilliseconds(Number("pull-jitter", 1000)),
            Postgres = values.GetValueOrDefault("postgres"),
            ControlPlanePid = values.TryGetValue("control-plane-pid", out var pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            RabbitManagement = values.TryGetValue("rabbit-management", out var m) ? new Uri(m) : null,
            Label = values.GetValueOrDefault("label") ?? "",
        };
    }
}
