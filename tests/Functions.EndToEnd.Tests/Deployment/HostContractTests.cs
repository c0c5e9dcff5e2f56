using Functions.EndToEnd.Tests.Deployment.Support;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>The scan of the hosts' source that tells the deployment tests which variables each host needs.</summary>
public sealed class HostContractTests
{
    public static TheoryData<string> Hosts => DeployedHost.Names;

    public static TheoryData<string> Servers => DeployedHost.ServerNames;

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_scan_finds_the_documented_variables_of_every_host(string host)
    {
        // If the code stops using the forms the scan knows, the deployment checks would pass vacuously: fail instead.
        Assert.NotEmpty(DeployedHost.Named(host).Contract.FunctionsVariables);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void The_scan_finds_the_connection_strings_and_health_endpoints_of_every_server(string host)
    {
        var contract = DeployedHost.Named(host).Contract;

        Assert.NotEmpty(contract.ConnectionStrings);
        Assert.Contains("/healthz", contract.MappedPaths);
        Assert.Contains("/readyz", contract.MappedPaths);
    }

    [Fact]
    public void Required_options_may_be_set_by_their_section_key_or_by_the_variable_their_message_names()
    {
        const string source = """
            public sealed class SampleOptions
            {
                public const string Section = "Sample";

                /// <summary>Docs.</summary>
                [Required(ErrorMessage = "Set Sample:Url (env Sample__Url).")]
                public Uri? Url { get; set; }

                [Required(ErrorMessage = "Set FUNCTIONS_SAMPLE_KEY (or Sample:Key).")]
                public string? Key { get; set; }

                [Range(1, 2)]
                public int Count { get; set; } = 1;
            }
            """;

        var contract = HostContract.FromSources([source, """var x = configuration.GetConnectionString("Store");"""]);

        Assert.Equal(
            ["connection string Store (ConnectionStrings__Store)", "Sample:Url (Sample__Url)", "Sample:Key (Sample__Key or FUNCTIONS_SAMPLE_KEY)"],
            contract.Required.Select(setting => setting.ToString()));
        Assert.True(contract.Reads("Sample__Count"));
        Assert.True(contract.Reads("sample__count"));
        Assert.False(contract.Reads("Sample__Cuont"));
        Assert.False(contract.Reads("ConnectionStrings__Other"));
        Assert.True(contract.Reads("ASPNETCORE_HTTP_PORTS"));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_project_closure_is_the_host_and_everything_it_reaches_by_project_references(string host)
    {
        var project = DeployedHost.Named(host).ProjectFile;
        var closure = ProjectGraph.Closure(project);

        Assert.Equal(project, closure[0]);
        Assert.Equal(closure.Count, closure.Distinct().Count());
        // Closed (every reference of a member is a member) and minimal (every member but the host is referenced by one).
        var references = closure.ToDictionary(member => member, member => ProjectGraph.Closure(member).Skip(1).ToList());
        Assert.All(references.Values.SelectMany(list => list), reference => Assert.Contains(reference, closure));
        Assert.All(closure.Skip(1), member => Assert.Contains(references.Values, list => list.Contains(member)));
    }
}
