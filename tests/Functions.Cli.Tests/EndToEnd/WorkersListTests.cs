using Functions.Cli.Tests.Support;

namespace Functions.Cli.Tests.EndToEnd;

/// <summary><c>functions workers</c> against a control plane that pages its list of nodes.</summary>
public sealed class WorkersListTests(ControlPlaneFixture platform) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Workers_lists_every_node_past_the_first_page()
    {
        const int nodes = 105; // more than one page of the largest size (100)
        for (var i = 0; i < nodes; i++)
        {
            await platform.HeartbeatAsync($"many-{i:D3}", 0);
        }

        var table = await platform.RunAsync("workers");
        var json = await platform.RunAsync("workers", "--json");

        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.Contains("many-000", table.Out, StringComparison.Ordinal);
        Assert.Contains("many-104", table.Out, StringComparison.Ordinal);
        Assert.Equal(nodes, json.Json().GetProperty("workers").GetArrayLength());
    }
}
