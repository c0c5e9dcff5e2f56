using Functions.EndToEnd.Tests.Deployment.Support;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>docker-compose.yml, read with the values of .env.example (no Docker engine is needed).</summary>
public sealed class ComposeTests
{
    private static readonly ComposeFile Compose = ComposeFile.Load();

    public static TheoryData<string> Hosts => DeployedHost.Names;

    public static TheoryData<string> StackServices =>
        ["postgres", "rabbitmq", "nginx", .. DeployedHost.All.SelectMany(host => host.ComposeServices)];

    [Theory]
    [MemberData(nameof(StackServices))]
    public void The_compose_file_defines_every_service_of_the_stack(string service)
    {
        Assert.Contains(service, Compose.Services.Keys);
    }

    [Fact]
    public void Every_service_built_here_is_a_known_host_built_from_the_repository_root()
    {
        foreach (var service in Compose.Services.Values.Where(service => service.Node.ContainsKey("build")))
        {
            Assert.Equal(".", service.Node.StringAt("build", "context"));
            var host = DeployedHost.All.SingleOrDefault(host => host.Dockerfile == service.Dockerfile);
            Assert.True(host is not null, $"Service {service.Name} builds {service.Dockerfile}, which no host of DeployedHost uses.");
            Assert.Contains(service.Name, host.ComposeServices);
        }
    }

    [Fact]
    public void Every_published_port_is_bound_to_loopback_only()
    {
        var ports = Compose.Services.Values.SelectMany(service => service.Ports.Select(port => (service.Name, port))).ToList();

        Assert.NotEmpty(ports);
        Assert.All(ports, entry => Assert.True(entry.port.HostIp == "127.0.0.1",
            $"{entry.Name} publishes '{entry.port.Raw}'; write it as \"127.0.0.1:HOST:CONTAINER\" so only this machine reaches it."));
    }

    [Theory]
    [InlineData("nginx", "8080", 8080)]
    [InlineData("controlplane", "5080", 8080)]
    public void The_invocation_address_and_the_control_plane_are_published_on_their_usual_ports(string service, string hostPort, int containerPort)
    {
        var port = Assert.Single(Compose.Services[service].Ports);

        Assert.Equal(("127.0.0.1", hostPort, containerPort), (port.HostIp, port.HostPort, port.ContainerPort));
    }

    [Fact]
    public void Every_service_waits_for_services_that_exist_to_be_healthy()
    {
        var dependencies = Compose.Services.Values.SelectMany(service => service.DependsOn.Select(on => (service.Name, on.Key, on.Value))).ToList();

        Assert.NotEmpty(dependencies);
        Assert.All(dependencies, dependency =>
        {
            var (service, target, condition) = dependency;
            Assert.True(Compose.Services.ContainsKey(target), $"{service} depends on {target}, which is not a service.");
            Assert.True(condition == "service_healthy", $"{service} should wait for {target} with condition service_healthy, not {condition}.");
            Assert.True(Compose.Services[target].HealthcheckCommand.Count > 0, $"{service} waits for {target} to be healthy, but {target} has no healthcheck.");
        });
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Every_service_of_a_host_gets_every_variable_its_code_requires(string host)
    {
        var spec = DeployedHost.Named(host);
        Assert.All(spec.ComposeServices, name =>
        {
            var environment = Compose.Services[name].Environment;
            Assert.All(spec.Contract.Required.Where(setting => !setting.Variables.All(spec.OptionalVariables.Contains)), setting => Assert.True(
                setting.Variables.Any(variable => environment.GetValueOrDefault(variable) is { Length: > 0 }),
                $"Service {name} ({host}) does not set {setting}."));
        });
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Every_variable_set_for_a_host_is_one_its_code_reads(string host)
    {
        var spec = DeployedHost.Named(host);
        Assert.All(spec.ComposeServices, name => Assert.All(Compose.Services[name].Environment.Keys, variable =>
            Assert.True(spec.Contract.Reads(variable), $"Service {name} sets {variable}, which the {host} never reads: a typo?")));
    }

    [Fact]
    public void Every_interpolated_variable_is_defined_in_env_example_and_secrets_without_defaults_fail_loudly()
    {
        Assert.NotEmpty(Compose.References);
        Assert.All(Compose.References, reference =>
        {
            Assert.True(Compose.Variables.ContainsKey(reference.Name), $"{ComposeFile.FileName} uses ${{{reference.Name}}}; define it in {ComposeFile.EnvExample}.");
            Assert.True(reference.Operator is ":-" or ":?",
                $"${{{reference.Name}}} needs a default (:-) or, for a secret, ':?message' so a missing .env stops compose with a reason.");
        });
    }

    [Fact]
    public void The_env_file_with_the_secrets_is_kept_out_of_git_and_out_of_images()
    {
        var gitignore = RepoFile.Read(".gitignore").Split('\n').Select(line => line.Trim());

        Assert.Contains(gitignore, line => line is ".env" or "/.env");
        Assert.True(DockerIgnore.Load().Excludes(".env"));
        Assert.False(RepoFile.Exists(".env") && IsTracked(".env"), ".env is committed: remove it from git.");
    }

    [Fact]
    public void Connection_strings_point_at_the_servers_of_the_stack_with_their_credentials()
    {
        var checkedAny = false;
        foreach (var service in DeployedHost.All.SelectMany(host => host.ComposeServices).Select(name => Compose.Services[name]))
        {
            foreach (var (variable, value) in service.Environment.Where(entry => entry.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)))
            {
                Assert.True(ConnectionTarget.Servers.TryGetValue(variable["ConnectionStrings__".Length..], out var kind),
                    $"No server kind is known for {variable}: add one to ConnectionTarget.");
                var target = kind.Parse(value);
                Assert.True(Compose.Services.TryGetValue(target.Host, out var server), $"{service.Name}: {variable} points at '{target.Host}', not a service.");
                Assert.Equal(kind.Image, server.Image);
                Assert.Equal(kind.Port, target.Port);
                Assert.Empty(kind.Mismatches(target, server.Environment).Select(problem => $"{service.Name}: {variable} has {problem}"));
                checkedAny = true;
            }
        }

        Assert.True(checkedAny);
    }

    [Fact]
    public void Workers_reach_the_control_plane_by_its_service_name_on_the_port_its_image_exposes()
    {
        var port = int.Parse(Assert.Single(Dockerfile.Load(DeployedHost.ControlPlane.Dockerfile).Final.All("EXPOSE")).Arguments,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(DeployedHost.Worker.ComposeServices, name =>
        {
            var url = new Uri(Compose.Services[name].Environment["Worker__ControlPlaneUrl"]);
            Assert.Contains(url.Host, DeployedHost.ControlPlane.ComposeServices);
            Assert.Equal(port, url.Port);
        });
    }

    [Fact]
    public void Workers_are_given_longer_to_stop_than_they_take_to_drain()
    {
        Assert.All(DeployedHost.Worker.ComposeServices, name =>
        {
            var service = Compose.Services[name];
            var drain = TimeSpan.Parse(service.Environment["Worker__DrainTimeout"], System.Globalization.CultureInfo.InvariantCulture);
            var grace = ParseDuration(service.Node.StringAt("stop_grace_period") ?? "10s");
            Assert.True(grace > drain, $"{name}: stop_grace_period {grace} must exceed Worker__DrainTimeout {drain}, or Docker kills it mid-drain.");
        });
    }

    [Fact]
    public void Each_worker_keeps_its_module_cache_in_a_named_volume_of_its_own()
    {
        var caches = DeployedHost.Worker.ComposeServices.Select(name =>
        {
            var service = Compose.Services[name];
            var directory = service.Environment["Worker__CacheDirectory"];
            var mount = service.Volumes.SingleOrDefault(volume => volume.Target == directory);
            Assert.True(mount is { IsNamed: true, ReadOnly: false }, $"{name}: mount a writable named volume at Worker__CacheDirectory ({directory}).");
            return mount.Source;
        }).ToList();

        Assert.Equal(caches.Count, caches.Distinct().Count());
    }

    [Theory]
    [InlineData("postgres", "/var/lib/postgresql/data")]
    [InlineData("rabbitmq", "/var/lib/rabbitmq")]
    public void Server_data_lives_in_a_named_volume(string service, string directory)
    {
        Assert.Contains(Compose.Services[service].Volumes, volume => volume.Target == directory && volume.IsNamed);
    }

    [Fact]
    public void Named_volumes_are_declared_and_bind_mounts_exist_in_the_checkout()
    {
        var mounts = Compose.Services.Values.SelectMany(service => service.Volumes.Select(volume => (service.Name, volume))).ToList();

        Assert.All(mounts, entry => Assert.True(
            entry.volume.IsNamed ? Compose.DeclaredVolumes.Contains(entry.volume.Source) : RepoFile.Exists(entry.volume.Source),
            $"{entry.Name} mounts '{entry.volume.Source}', which is neither a declared volume nor a path in the checkout."));
        Assert.All(Compose.DeclaredVolumes, volume => Assert.Contains(mounts, entry => entry.volume.Source == volume));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Host_services_probe_an_endpoint_the_host_maps_on_the_port_its_image_exposes(string host)
    {
        var spec = DeployedHost.Named(host);
        if (!spec.IsServer)
        {
            Assert.All(spec.ComposeServices, name => Assert.Empty(Compose.Services[name].HealthcheckCommand));
            return;
        }

        var exposed = Dockerfile.Load(spec.Dockerfile).ExposedPorts[0];
        Assert.All(spec.ComposeServices, name =>
        {
            var command = Compose.Services[name].HealthcheckCommand;
            Assert.Equal(["http-probe", spec.ManagementPort ?? exposed], command.Take(2));
            Assert.Contains(command[2], spec.Contract.MappedPaths);
            Assert.All(Compose.Services[name].Ports, port => Assert.Equal(exposed, port.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    private static TimeSpan ParseDuration(string value)
    {
        var total = TimeSpan.Zero;
        foreach (System.Text.RegularExpressions.Match part in System.Text.RegularExpressions.Regex.Matches(value, @"(\d+(?:\.\d+)?)(ms|h|m|s|us)"))
        {
            var amount = double.Parse(part.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                _ => TimeSpan.FromMicroseconds(amount),
            };
        }

        return total;
    }

    private static bool IsTracked(string path)
    {
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["ls-files", "--error-unmatch", path])
        {
            WorkingDirectory = Functions.Testing.RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        git.WaitForExit();
        return git.ExitCode == 0;
    }
}
