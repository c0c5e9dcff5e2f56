using Functions.EndToEnd.Tests.Deployment.Support;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>The Dockerfiles under deploy/docker, checked by reading them (no Docker engine is needed).</summary>
public sealed class DockerfileTests
{
    /// <summary>Build inputs at the root that every project's build reads when present.</summary>
    private static readonly string[] RootBuildFiles =
        ["global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "NuGet.config", "nuget.config", ".editorconfig"];

    public static TheoryData<string> Hosts => DeployedHost.Names;

    public static TheoryData<string> Servers => DeployedHost.ServerNames;

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_image_is_built_with_the_sdk_and_runs_on_the_runtime_image_only(string host)
    {
        var spec = DeployedHost.Named(host);
        var dockerfile = Dockerfile.Load(spec.Dockerfile);

        Assert.True(dockerfile.Stages.Count >= 2, $"{spec.Dockerfile} must be multi-stage (build, then final).");
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", dockerfile.Stages[0].Image);
        Assert.Equal(spec.RuntimeImage, dockerfile.Final.Image);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_image_runs_as_the_numeric_non_root_app_user(string host)
    {
        var spec = DeployedHost.Named(host);
        var user = Dockerfile.Load(spec.Dockerfile).Final.All("USER").LastOrDefault()?.Arguments;

        // By number: Kubernetes' runAsNonRoot cannot verify a user name such as 'app'.
        Assert.True(
            user is "$APP_UID" or "${APP_UID}" || (int.TryParse(user, out var uid) && uid > 0),
            $"{spec.Dockerfile}: the final stage must end with USER $APP_UID (or a non-zero uid), not '{user ?? "(none)"}'.");
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void A_server_image_checks_its_health_by_probing_an_endpoint_its_host_maps(string host)
    {
        var spec = DeployedHost.Named(host);
        var dockerfile = Dockerfile.Load(spec.Dockerfile);
        var healthcheck = Assert.Single(dockerfile.Final.All("HEALTHCHECK"));
        var command = HealthcheckCommand(healthcheck);

        Assert.Equal(3, command.Count);
        Assert.Equal("http-probe", command[0]);
        Assert.Equal(spec.ManagementPort ?? dockerfile.ExposedPorts[0], command[1]);
        Assert.Contains(command[1], dockerfile.ExposedPorts);
        Assert.Contains(command[2], spec.Contract.MappedPaths);
        // The probe script is installed on PATH under the name the HEALTHCHECK calls.
        Assert.Contains(dockerfile.Final.All("COPY"), copy =>
            copy.Operands is [.., "/usr/local/bin/http-probe"] && copy.Flags.GetValueOrDefault("chmod") is "0755" or "755");
    }

    [Fact]
    public void The_cli_image_opts_out_of_health_checks_as_a_command_that_exits()
    {
        var healthcheck = Assert.Single(Dockerfile.Load(DeployedHost.Cli.Dockerfile).Final.All("HEALTHCHECK"));

        Assert.Equal("NONE", healthcheck.Arguments);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void A_server_image_exposes_the_port_aspnet_core_listens_on(string host)
    {
        var spec = DeployedHost.Named(host);
        var dockerfile = Dockerfile.Load(spec.Dockerfile);

        Assert.Equal(spec.ManagementPort is { } management ? ["8080", management] : ["8080"], dockerfile.ExposedPorts);
        Assert.Equal("8080", Environment(dockerfile).GetValueOrDefault("ASPNETCORE_HTTP_PORTS"));
    }

    [Fact]
    public void The_worker_image_answers_health_and_metrics_on_its_management_port_on_every_interface()
    {
        // Every interface of the container: a kubelet or Prometheus reaches it from outside; the port is published to no one.
        Assert.Equal($"http://+:{DeployedHost.Worker.ManagementPort}",
            Environment(Dockerfile.Load(DeployedHost.Worker.Dockerfile)).GetValueOrDefault("Worker__ManagementUrls"));
    }

    private static Dictionary<string, string> Environment(Dockerfile dockerfile) =>
        dockerfile.Final.All("ENV").SelectMany(env => env.Words)
            .Select(word => word.Split('=', 2)).Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Every_file_the_image_copies_from_the_checkout_exists_and_is_in_the_build_context(string host)
    {
        var spec = DeployedHost.Named(host);
        var ignore = DockerIgnore.Load();
        var sources = Dockerfile.Load(spec.Dockerfile).Stages.SelectMany(stage => stage.All("COPY").Concat(stage.All("ADD")))
            .Where(copy => !copy.Flags.ContainsKey("from"))
            .SelectMany(copy => copy.Operands.SkipLast(1))
            .ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, source =>
        {
            Assert.True(RepoFile.Exists(source), $"{spec.Dockerfile} copies {source}, which does not exist.");
            Assert.False(ignore.Excludes(source), $"{spec.Dockerfile} copies {source}, which .dockerignore leaves out of the context.");
        });
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Packages_are_restored_from_the_project_files_alone_before_any_source_is_copied(string host)
    {
        var spec = DeployedHost.Named(host);
        var build = Dockerfile.Load(spec.Dockerfile).Stages[0];
        var restoreAt = build.Instructions.ToList().FindIndex(instruction =>
            instruction.Keyword == "RUN" && instruction.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restoreAt > 0, $"{spec.Dockerfile}: the build stage must RUN dotnet restore on its own.");

        var copiedBefore = build.Instructions.Take(restoreAt).Where(instruction => instruction.Keyword == "COPY")
            .SelectMany(copy => copy.Operands.SkipLast(1)).ToHashSet(StringComparer.Ordinal);
        var expected = RootBuildFiles.Where(RepoFile.Exists).Concat(ProjectGraph.Closure(spec.ProjectFile)).ToHashSet(StringComparer.Ordinal);

        // Exactly the project files of the host and what it references: a missing one fails the restore, anything more
        // (sources) makes every code change download the packages again.
        Assert.Equal(expected.Order(StringComparer.Ordinal), copiedBefore.Order(StringComparer.Ordinal));
        Assert.Contains(spec.ProjectFile, build.Instructions[restoreAt].Arguments, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_sources_of_every_project_the_host_needs_are_copied_before_publishing(string host)
    {
        var spec = DeployedHost.Named(host);
        var build = Dockerfile.Load(spec.Dockerfile).Stages[0];
        var publish = Assert.Single(build.All("RUN"), run => run.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var copied = build.Instructions.TakeWhile(instruction => instruction != publish).Where(instruction => instruction.Keyword == "COPY")
            .SelectMany(copy => copy.Operands.SkipLast(1)).ToList();

        Assert.All(ProjectGraph.Closure(spec.ProjectFile), project =>
            Assert.True(
                copied.Any(source => source.EndsWith('/') && ProjectGraph.Folder(project).StartsWith(source, StringComparison.Ordinal)),
                $"{spec.Dockerfile} publishes {spec.ProjectFile} without copying the folder of {project}."));
        Assert.Contains(spec.ProjectFile, publish.Arguments, StringComparison.Ordinal);
        Assert.Contains("--no-restore", publish.Arguments, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_entrypoint_runs_the_assembly_the_host_project_builds(string host)
    {
        var spec = DeployedHost.Named(host);
        var entrypoint = Assert.Single(Dockerfile.Load(spec.Dockerfile).Final.All("ENTRYPOINT"));

        Assert.StartsWith("[", entrypoint.Arguments, StringComparison.Ordinal); // exec form: the process gets SIGTERM itself
        Assert.Equal("dotnet", entrypoint.Words[0]);
        Assert.Equal($"{ProjectGraph.AssemblyName(spec.ProjectFile)}.dll", Path.GetFileName(entrypoint.Words[1]));
    }

    [Theory]
    [InlineData("src/Functions.Worker/bin/Release/net10.0/Functions.Worker.dll", true)]
    [InlineData("src/Functions.Worker/obj/project.assets.json", true)]
    [InlineData(".local/postgres/data/PG_VERSION", true)]
    [InlineData(".git/HEAD", true)]
    [InlineData(".env", true)]
    [InlineData("tests/fixtures/out/hello.wasm", true)]
    [InlineData("src/Functions.Worker/Program.cs", false)]
    [InlineData("src/Functions.Worker/Functions.Worker.csproj", false)]
    [InlineData("migrations/Functions.Migrations/Functions.Migrations.csproj", false)]
    [InlineData("Directory.Packages.props", false)]
    [InlineData("deploy/docker/http-probe.sh", false)]
    public void The_build_context_leaves_out_build_output_local_state_git_and_secrets(string path, bool excluded)
    {
        Assert.Equal(excluded, DockerIgnore.Load().Excludes(path));
    }

    /// <summary>The command of <c>HEALTHCHECK [options] CMD …</c>, exec form parsed.</summary>
    internal static IReadOnlyList<string> HealthcheckCommand(DockerInstruction healthcheck)
    {
        var at = healthcheck.Arguments.IndexOf("CMD ", StringComparison.Ordinal);
        Assert.True(at >= 0, $"{healthcheck} has no CMD.");
        return new DockerInstruction("CMD", healthcheck.Arguments[(at + 4)..].Trim(), healthcheck.Line).Words;
    }
}
