using System.Globalization;
using System.Text.RegularExpressions;
using Functions.EndToEnd.Tests.Deployment.Support;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>
/// The kustomizations under deploy/k8s, rendered by the tests' own kustomize (no cluster, no kubectl needed) and
/// checked for the references a cluster would only reject, or silently get wrong, at apply time.
/// </summary>
public sealed partial class KubernetesTests
{
    private static readonly string[] Probes = ["readinessProbe", "livenessProbe", "startupProbe"];

    public static TheoryData<string> Targets => Rendering.Targets;

    public static TheoryData<string> Manifests =>
        [.. ManifestFiles().Select(RepoFile.Relative)];

    public static TheoryData<string> Kustomizations =>
        [.. ManifestFiles().Where(IsKustomization).Select(file => RepoFile.Relative(Path.GetDirectoryName(file)!))];

    public static TheoryData<string, string> TargetsAndHosts
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var target in Rendering.Targets)
            {
                foreach (var host in DeployedHost.KubernetesNames)
                {
                    data.Add(target, host);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_manifest_parses_into_objects_with_api_version_kind_and_name(string file)
    {
        var documents = YamlFile.LoadDocuments(RepoFile.Full(file));

        Assert.NotEmpty(documents);
        Assert.All(documents, document =>
        {
            Assert.False(string.IsNullOrEmpty(document.StringAt("apiVersion")), $"{file}: a document without apiVersion.");
            Assert.False(string.IsNullOrEmpty(document.StringAt("kind")), $"{file}: a document without kind.");
            if (document.StringAt("kind") != "Kustomization")
            {
                Assert.Matches(DnsName(), document.StringAt("metadata", "name") ?? "");
            }
        });
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Every_file_a_kustomization_names_exists(string directory)
    {
        var named = Kustomize.NamedPaths(RepoFile.Full(directory), out _);

        Assert.NotEmpty(named);
        Assert.All(named, path => Assert.True(File.Exists(path) || File.Exists(Path.Combine(path, "kustomization.yaml")),
            $"{directory}/kustomization.yaml names {RepoFile.Relative(path)}, which does not exist."));
    }

    [Fact]
    public void Every_manifest_is_used_by_some_kustomization()
    {
        var used = ManifestFiles().Where(IsKustomization)
            .SelectMany(file => Kustomize.NamedPaths(Path.GetDirectoryName(file)!, out _))
            .ToHashSet(StringComparer.Ordinal);

        Assert.All(ManifestFiles().Where(file => !IsKustomization(file)), file =>
            Assert.True(used.Contains(file), $"{RepoFile.Relative(file)} is in no kustomization's resources or patches: dead or forgotten?"));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Workload_selectors_match_the_labels_of_their_pods(string target)
    {
        var rendering = Rendering.Of(target);

        Assert.NotEmpty(rendering.Workloads);
        Assert.All(rendering.Workloads, workload =>
        {
            var selector = workload.Node.StringsAt("spec", "selector", "matchLabels");
            Assert.NotEmpty(selector);
            Assert.All(selector, label => Assert.True(
                workload.PodLabels.GetValueOrDefault(label.Key) == label.Value,
                $"{workload}: the selector wants {label.Key}={label.Value}, which its pod template lacks."));
        });
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Services_select_existing_pods_on_ports_those_pods_declare(string target)
    {
        var rendering = Rendering.Of(target);
        var services = rendering.OfKind("Service").Where(service => service.Node.StringAt("spec", "type") != "ExternalName").ToList();

        Assert.NotEmpty(services);
        Assert.All(services, service =>
        {
            var workloads = rendering.WorkloadsSelectedBy(service.Node.StringsAt("spec", "selector")).ToList();
            Assert.True(workloads.Count > 0, $"{service} selects no pods of any workload.");
            Assert.All(service.Node.MapsAt("spec", "ports"), port =>
            {
                var targetPort = port.StringAt("targetPort") ?? port.StringAt("port")!;
                Assert.All(workloads, workload => Assert.True(DeclaresPort(workload, targetPort),
                    $"{service} sends port {port.StringAt("port")} to {targetPort}, which no container of {workload} declares."));
            });
        });
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Statefulsets_are_governed_by_an_existing_headless_service(string target)
    {
        var rendering = Rendering.Of(target);
        Assert.All(rendering.OfKind("StatefulSet"), statefulSet =>
        {
            var service = rendering.Find("Service", statefulSet.Node.StringAt("spec", "serviceName") ?? "");
            Assert.True(service is not null, $"{statefulSet}: its serviceName is not a Service.");
            Assert.Equal("None", service.Node.StringAt("spec", "clusterIP"));
        });
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_autoscaler_targets_a_deployment_that_requests_cpu_and_leaves_the_replica_count_to_it(string target)
    {
        var rendering = Rendering.Of(target);
        var autoscalers = rendering.OfKind("HorizontalPodAutoscaler").ToList();

        Assert.NotEmpty(autoscalers);
        Assert.All(autoscalers, hpa =>
        {
            Assert.Equal("autoscaling/v2", hpa.ApiVersion);
            var scaled = rendering.Find(hpa.Node.StringAt("spec", "scaleTargetRef", "kind") ?? "", hpa.Node.StringAt("spec", "scaleTargetRef", "name") ?? "");
            Assert.True(scaled is { Kind: "Deployment" }, $"{hpa} scales something that is not a Deployment here.");
            Assert.Contains(hpa.Node.MapsAt("spec", "metrics"), metric => metric.StringAt("resource", "name") == "cpu");
            // Utilization is measured against the request: without one the HPA cannot compute it.
            Assert.All(scaled.Containers, container => Assert.NotNull(container.StringAt("resources", "requests", "cpu")));
            Assert.Null(scaled.Node.At("spec", "replicas")); // each apply would reset what the HPA chose
        });
        Assert.Contains(autoscalers, hpa => hpa.Node.StringAt("spec", "scaleTargetRef", "name") == DeployedHost.Worker.KubernetesDeployment);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Disruption_budgets_cover_the_pods_of_existing_deployments(string target)
    {
        var rendering = Rendering.Of(target);
        var budgets = rendering.OfKind("PodDisruptionBudget").ToList();

        Assert.Contains(budgets, pdb => rendering.WorkloadsSelectedBy(pdb.Node.StringsAt("spec", "selector", "matchLabels"))
            .Any(workload => workload.Name == DeployedHost.Worker.KubernetesDeployment));
        Assert.All(budgets, pdb =>
        {
            Assert.Equal("policy/v1", pdb.ApiVersion);
            Assert.NotEmpty(rendering.WorkloadsSelectedBy(pdb.Node.StringsAt("spec", "selector", "matchLabels")));
        });
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_config_map_and_secret_a_container_reads_exists_with_the_keys_it_names(string target)
    {
        var rendering = Rendering.Of(target);
        var references = rendering.Workloads.SelectMany(workload => workload.Containers.SelectMany(container =>
            container.MapsAt("envFrom").SelectMany(source => new[]
                {
                    ("ConfigMap", source.MapAt("configMapRef"), (string?)null),
                    ("Secret", source.MapAt("secretRef"), (string?)null),
                })
                .Concat(container.MapsAt("env").SelectMany(variable => new[]
                {
                    ("ConfigMap", variable.MapAt("valueFrom", "configMapKeyRef"), variable.StringAt("valueFrom", "configMapKeyRef", "key")),
                    ("Secret", variable.MapAt("valueFrom", "secretKeyRef"), variable.StringAt("valueFrom", "secretKeyRef", "key")),
                }))
                .Where(reference => reference.Item2 is not null && reference.Item2.StringAt("optional") != "true")
                .Select(reference => (workload, reference.Item1, Name: reference.Item2!.StringAt("name") ?? "", Key: reference.Item3))))
            .ToList();

        Assert.NotEmpty(references);
        Assert.All(references, reference =>
        {
            var data = rendering.Data(reference.Item2, reference.Name);
            Assert.True(data is not null, $"{reference.workload} reads {reference.Item2} '{reference.Name}', which does not exist.");
            Assert.True(reference.Key is null || data.ContainsKey(reference.Key),
                $"{reference.workload} reads key '{reference.Key}' of {reference.Item2} '{reference.Name}', which has no such key.");
        });
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Variable_references_in_the_environment_name_variables_defined_before_them(string target)
    {
        Assert.All(Rendering.Of(target).Workloads.SelectMany(workload => workload.Containers.Select(container => (workload, container))), entry =>
        {
            var defined = new HashSet<string>(StringComparer.Ordinal);
            foreach (var variable in entry.container.MapsAt("env"))
            {
                foreach (Match reference in VariableReference().Matches(variable.StringAt("value") ?? ""))
                {
                    Assert.True(defined.Contains(reference.Groups[1].Value),
                        $"{entry.workload}: {variable.StringAt("name")} uses $({reference.Groups[1].Value}) before it is defined; Kubernetes would pass it literally.");
                }

                defined.Add(variable.StringAt("name")!);
            }
        });
    }

    [Theory]
    [MemberData(nameof(TargetsAndHosts))]
    public void A_host_deployment_gets_every_variable_its_code_requires(string target, string host)
    {
        var (rendering, spec, _, container) = HostContainer(target, host);
        var environment = rendering.Environment(container);

        Assert.All(spec.Contract.Required, setting => Assert.True(
            setting.Variables.Any(variable => environment.GetValueOrDefault(variable) is { Length: > 0 }),
            $"{target}: {spec.KubernetesDeployment} does not set {setting}."));
    }

    [Theory]
    [MemberData(nameof(TargetsAndHosts))]
    public void A_host_deployment_sets_only_variables_its_code_reads(string target, string host)
    {
        var (rendering, spec, _, container) = HostContainer(target, host);
        var referenced = container.MapsAt("env").SelectMany(variable => VariableReference().Matches(variable.StringAt("value") ?? ""))
            .Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        Assert.All(rendering.Environment(container).Keys.Where(variable => !referenced.Contains(variable)), variable =>
            Assert.True(spec.Contract.Reads(variable), $"{target}: {spec.KubernetesDeployment} sets {variable}, which the {host} never reads: a typo?"));
    }

    [Theory]
    [MemberData(nameof(TargetsAndHosts))]
    public void A_host_is_ready_at_readyz_alive_at_healthz_on_a_port_it_declares(string target, string host)
    {
        var (_, spec, _, container) = HostContainer(target, host);

        Assert.Equal("/readyz", container.StringAt("readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", container.StringAt("livenessProbe", "httpGet", "path"));
        foreach (var probe in Probes.Where(container.ContainsKey))
        {
            Assert.Contains(container.StringAt(probe, "httpGet", "path")!, spec.Contract.MappedPaths);
            var port = container.StringAt(probe, "httpGet", "port")!;
            Assert.True(ContainerDeclaresPort(container, port), $"{target}: {spec.KubernetesDeployment}'s {probe} uses port {port}, which the container does not declare.");
            if (spec.ManagementPort is { } management)
            {
                Assert.True(ContainerPort(container, port) == management, $"{target}: {spec.KubernetesDeployment}'s {probe} must use the management port {management}: on {port} every path is a function's.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TargetsAndHosts))]
    public void A_host_container_listens_on_the_port_its_image_exposes(string target, string host)
    {
        var (rendering, spec, _, container) = HostContainer(target, host);
        var exposed = Dockerfile.Load(spec.Dockerfile).ExposedPorts;

        Assert.Equal(exposed, container.MapsAt("ports").Select(port => port.StringAt("containerPort")));
        Assert.Equal(exposed[0], rendering.Environment(container).GetValueOrDefault("ASPNETCORE_HTTP_PORTS", exposed[0]));
        if (spec.ManagementPort is { } management)
        {
            var urls = rendering.Environment(container).GetValueOrDefault("Worker__ManagementUrls") ?? "";
            Assert.True(urls.EndsWith($":{management}", StringComparison.Ordinal), $"{target}: Worker__ManagementUrls ('{urls}') must name port {management}.");
        }
    }

    [Theory]
    [MemberData(nameof(TargetsAndHosts))]
    public void A_host_runs_the_image_compose_builds_for_it(string target, string host)
    {
        var (_, spec, _, container) = HostContainer(target, host);
        var compose = ComposeFile.Load().Services[spec.ComposeServices[0]];

        Assert.Equal(ImageReference.Parse(compose.Image!).Name, ImageReference.Parse(container.StringAt("image")!).Name);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_container_runs_as_non_root_without_privilege_escalation_within_resource_limits(string target)
    {
        Assert.All(Rendering.Of(target).Workloads.SelectMany(workload => workload.Containers.Select(container => (workload, container))), entry =>
        {
            var (workload, container) = entry;
            var pod = workload.PodTemplate.MapAt("spec", "securityContext");
            var own = container.MapAt("securityContext");
            Assert.True((own.StringAt("runAsNonRoot") ?? pod.StringAt("runAsNonRoot")) == "true", $"{workload}: set runAsNonRoot: true.");
            Assert.True(own.StringAt("allowPrivilegeEscalation") == "false", $"{workload}: set allowPrivilegeEscalation: false.");
            Assert.Contains("ALL", own.ListAt("capabilities", "drop").OfType<string>());
            Assert.Equal("false", workload.PodTemplate.StringAt("spec", "automountServiceAccountToken"));
            foreach (var (kind, resource) in new[] { ("requests", "cpu"), ("requests", "memory"), ("limits", "memory") })
            {
                Assert.True(container.StringAt("resources", kind, resource) is not null, $"{workload}: set resources.{kind}.{resource}.");
            }
        });
    }

    [Theory]
    [MemberData(nameof(TargetsAndHosts))]
    public void A_host_has_a_read_only_root_with_writable_empty_dirs_for_tmp_and_its_cache(string target, string host)
    {
        var (rendering, spec, workload, container) = HostContainer(target, host);
        var writable = new List<string> { "/tmp" };
        if (rendering.Environment(container).GetValueOrDefault("Worker__CacheDirectory") is { } cache)
        {
            writable.Add(cache);
        }

        Assert.Equal("true", container.StringAt("securityContext", "readOnlyRootFilesystem"));
        Assert.All(writable, path =>
        {
            var mount = container.MapsAt("volumeMounts").SingleOrDefault(mount => mount.StringAt("mountPath") == path);
            Assert.True(mount is not null && mount.StringAt("readOnly") != "true", $"{target}: {spec.KubernetesDeployment} needs a writable mount at {path}.");
            var volume = workload.PodTemplate.MapsAt("spec", "volumes").SingleOrDefault(volume => volume.StringAt("name") == mount.StringAt("name"));
            Assert.True(volume?.ContainsKey("emptyDir") == true, $"{target}: {spec.KubernetesDeployment} mounts {path} from something other than an emptyDir.");
        });
    }

    [Theory]
    [MemberData(nameof(TargetsAndHosts))]
    public void A_host_pod_sleeps_before_stopping_and_is_given_longer_than_it_takes_to_drain(string target, string host)
    {
        var (rendering, spec, workload, container) = HostContainer(target, host);
        var preStop = container.ListAt("lifecycle", "preStop", "exec", "command").OfType<string>().ToList();
        Assert.True(preStop is ["sleep", _], $"{target}: {spec.KubernetesDeployment} should sleep in preStop, so the endpoint removal reaches every proxy first.");
        var sleep = TimeSpan.FromSeconds(int.Parse(preStop[1], CultureInfo.InvariantCulture));

        // The worker drains for Worker__DrainTimeout; other hosts stop within ASP.NET Core's default 30 s.
        var drain = rendering.Environment(container).TryGetValue("Worker__DrainTimeout", out var configured)
            ? TimeSpan.Parse(configured, CultureInfo.InvariantCulture)
            : TimeSpan.FromSeconds(30);
        if (spec == DeployedHost.Worker)
        {
            Assert.True(configured is not null, $"{target}: set Worker__DrainTimeout explicitly, so the grace period can be checked against it.");
        }

        var grace = TimeSpan.FromSeconds(int.Parse(workload.PodTemplate.StringAt("spec", "terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture));
        Assert.True(grace > sleep + drain, $"{target}: {spec.KubernetesDeployment}'s terminationGracePeriodSeconds ({grace}) must exceed preStop ({sleep}) + drain ({drain}).");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Workers_are_scraped_by_prometheus_at_their_metrics_endpoint(string target)
    {
        var (_, spec, workload, container) = HostContainer(target, DeployedHost.Worker.Name);
        var annotations = workload.PodTemplate.StringsAt("metadata", "annotations");

        Assert.Equal("true", annotations.GetValueOrDefault("prometheus.io/scrape"));
        Assert.True(ContainerDeclaresPort(container, annotations.GetValueOrDefault("prometheus.io/port") ?? ""));
        Assert.Contains(annotations.GetValueOrDefault("prometheus.io/path") ?? "", spec.Contract.MappedPaths);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
        Assert.Equal(spec.ManagementPort, ContainerPort(container, annotations["prometheus.io/port"]!));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_worker_service_routes_invocations_only_never_the_management_port(string target)
    {
        var (rendering, spec, workload, container) = HostContainer(target, DeployedHost.Worker.Name);
        var services = rendering.OfKind("Service").Where(service => rendering.WorkloadsSelectedBy(service.Node.StringsAt("spec", "selector")).Contains(workload)).ToList();

        Assert.NotEmpty(services);
        Assert.All(services.SelectMany(service => service.Node.MapsAt("spec", "ports")), port =>
            Assert.NotEqual(spec.ManagementPort, ContainerPort(container, port.StringAt("targetPort") ?? port.StringAt("port")!)));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Workers_reach_the_control_plane_through_its_service(string target)
    {
        var (rendering, _, _, container) = HostContainer(target, DeployedHost.Worker.Name);
        var url = new Uri(rendering.Environment(container)["Worker__ControlPlaneUrl"]);
        var service = rendering.ServiceForHost(url.Host);

        Assert.True(service is not null, $"{target}: Worker__ControlPlaneUrl names '{url.Host}', which is not a Service.");
        Assert.Contains(url.Port.ToString(CultureInfo.InvariantCulture), service.Node.MapsAt("spec", "ports").Select(port => port.StringAt("port")));
        Assert.Contains(rendering.WorkloadsSelectedBy(service.Node.StringsAt("spec", "selector")),
            workload => workload.Name == DeployedHost.ControlPlane.KubernetesDeployment);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Connection_strings_point_at_services_of_the_same_rendering_with_the_servers_credentials(string target)
    {
        var rendering = Rendering.Of(target);
        var connections = DeployedHost.All.Where(host => host.KubernetesDeployment is not null)
            .Select(host => HostContainer(target, host.Name))
            .SelectMany(entry => rendering.Environment(entry.Container)
                .Where(variable => variable.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
                .Select(variable => (entry.Spec, variable.Key, variable.Value)))
            .ToList();

        Assert.NotEmpty(connections);
        Assert.All(connections, connection =>
        {
            var name = connection.Key["ConnectionStrings__".Length..];
            Assert.True(ConnectionTarget.Servers.TryGetValue(name, out var kind), $"No server kind is known for {connection.Key}: add one to ConnectionTarget.");
            var parsed = kind.Parse(connection.Value);
            var service = rendering.ServiceForHost(parsed.Host);
            Assert.True(service is not null, $"{target}: {connection.Key} of the {connection.Spec} names '{parsed.Host}', which is not a Service.");
            Assert.Contains(parsed.Port.ToString(CultureInfo.InvariantCulture), service.Node.MapsAt("spec", "ports").Select(port => port.StringAt("port")));

            // A server running in the same rendering must accept the credentials the connection string carries.
            foreach (var server in rendering.WorkloadsSelectedBy(service.Node.StringsAt("spec", "selector")))
            {
                var serverContainer = Assert.Single(server.Containers);
                Assert.Equal(kind.Image, serverContainer.StringAt("image"));
                Assert.Empty(kind.Mismatches(parsed, rendering.Environment(serverContainer)));
            }
        });
    }

    [Fact]
    public void The_base_keeps_postgres_and_rabbitmq_outside_the_cluster_and_secrets_as_marked_placeholders()
    {
        var rendering = Rendering.Of("base");

        Assert.DoesNotContain(rendering.Workloads, workload => workload.Containers.Any(container =>
            ConnectionTarget.Servers.Values.Any(kind => container.StringAt("image") == kind.Image)));
        var secrets = rendering.OfKind("Secret").ToList();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, secret => Assert.All(rendering.Data("Secret", secret.Name)!, entry =>
            Assert.True(entry.Value.Contains("REPLACE-ME", StringComparison.Ordinal), $"base: {secret.Name}.{entry.Key} holds a value that is not marked REPLACE-ME.")));
        Assert.All(rendering.OfKind("Service").Where(service => service.Node.StringAt("spec", "type") == "ExternalName"), service =>
            Assert.Contains("REPLACE-ME", service.Node.StringAt("spec", "externalName"), StringComparison.Ordinal));
    }

    [Fact]
    public void The_dev_overlay_runs_postgres_and_rabbitmq_in_the_cluster_instead_of_external_names()
    {
        var rendering = Rendering.Of("overlays/dev");

        Assert.All(ConnectionTarget.Servers.Values, kind => Assert.Contains(rendering.OfKind("StatefulSet"),
            statefulSet => statefulSet.Containers.Any(container => container.StringAt("image") == kind.Image)));
        Assert.DoesNotContain(rendering.OfKind("Service"), service => service.Node.StringAt("spec", "type") == "ExternalName");
        Assert.All(rendering.Objects.Where(item => item.Kind != "Namespace"), item => Assert.Equal("functions-dev", item.Namespace));
        Assert.Single(rendering.OfKind("Namespace"), ns => ns.Name == "functions-dev");
    }

    private static (Rendering Rendering, DeployedHost Spec, KubeObject Workload, Dictionary<string, object?> Container) HostContainer(string target, string host)
    {
        var rendering = Rendering.Of(target);
        var spec = DeployedHost.Named(host);
        var workload = rendering.Find("Deployment", spec.KubernetesDeployment!);
        Assert.True(workload is not null, $"{target} renders no Deployment {spec.KubernetesDeployment} for the {host}.");
        return (rendering, spec, workload, Assert.Single(workload.Containers));
    }

    private static bool DeclaresPort(KubeObject workload, string port) =>
        workload.Containers.Any(container => ContainerDeclaresPort(container, port));

    /// <summary>The container port a probe, annotation or Service names, by number or by name.</summary>
    private static string? ContainerPort(Dictionary<string, object?> container, string port) =>
        container.MapsAt("ports").Where(declared => declared.StringAt("name") == port || declared.StringAt("containerPort") == port)
            .Select(declared => declared.StringAt("containerPort")).FirstOrDefault();

    private static bool ContainerDeclaresPort(Dictionary<string, object?> container, string port) =>
        container.MapsAt("ports").Any(declared => declared.StringAt("name") == port || declared.StringAt("containerPort") == port);

    private static IEnumerable<string> ManifestFiles() =>
        Directory.EnumerateFiles(RepoFile.Full(Rendering.Root), "*.*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static bool IsKustomization(string file) => Path.GetFileName(file) is "kustomization.yaml" or "kustomization.yml";

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex DnsName();
}
