using Functions.HttpBench.Baseline;
using Functions.HttpBench.Common;
using Functions.HttpBench.Density;
using Functions.HttpBench.Deploy;
using Functions.HttpBench.Flood;
using Functions.HttpBench.Load;
using Functions.HttpBench.Soak;
using Functions.HttpBench.Uploads;

// Each command prints a markdown fragment on stdout (tests/benchmarks/http.sh assembles them) and progress on stderr.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine(Usage.Text);
    return args.Length == 0 ? 2 : 0;
}

try
{
    var options = Arguments.Parse(args.AsSpan(1));
    return args[0] switch
    {
        "baseline" => await BaselineServer.RunAsync(options),
        "rate" => await RateCommand.RunAsync(options),
        "soak" => await SoakCommand.RunAsync(options),
        "deploy" => await DeployCommand.RunAsync(options),
        "upload" => await UploadCommand.RunAsync(options),
        "flood" => await FloodCommand.RunAsync(options),
        "density-upload" => await DensityUploadCommand.RunAsync(options),
        "density-deploy" => await DensityDeployCommand.RunAsync(options),
        "density-check" => await DensityCheckCommand.RunAsync(options),
        "density-idle" => await DensityIdleCommand.RunAsync(options),
        "density-redeploy" => await DensityRedeployCommand.RunAsync(options),
        "density-broken" => await DensityBrokenCommand.RunAsync(options),
        _ => throw new UsageException($"unknown command '{args[0]}'"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"httpbench: {e.Message}\n\n{Usage.Text}");
    return 2;
}
