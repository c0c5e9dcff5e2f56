using System.Diagnostics;
using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Deploy;

/// <summary>
/// <c>deploy</c>: deploy-to-served latency. <c>compiled</c> redeploys one module (compiled on every worker by a first,
/// untimed release) with a new environment value each time, and waits for the value in the body (the module prints
/// its environment: hello-c). <c>fresh</c> uploads a new variant of the module each time (a custom section changes
/// the digest, not the code), so every worker must fetch and compile it, and deploys it on a new route.
/// </summary>
internal static class DeployCommand
{
    private const string Marker = "BENCH_RELEASE";

    public static async Task<int> RunAsync(Arguments args)
    {
        var mode = args.Required("mode");
        if (mode is not ("compiled" or "fresh"))
        {
            throw new UsageException("--mode is 'compiled' or 'fresh'");
        }

        var workers = args.Required("workers").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => new Uri(w.EndsWith('/') ? w : w + "/")).ToList();
        var module = File.ReadAllBytes(args.Required("module"));
        var count = args.Int("count", 10);
        var app = args.Text("app", $"bench-deploy-{mode}");
        var expectFresh = args.Text("expect", "big:");

        using var admin = Clients.Create(4, args.Required("bearer"), TimeSpan.FromSeconds(120));
        admin.BaseAddress = args.Url("control-plane");
        using var poller = Clients.Create(4 * workers.Count, timeout: TimeSpan.FromSeconds(30));
        var api = new ControlPlaneApi(admin);
        var probe = new ServedProbe(poller, workers, TimeSpan.FromMilliseconds(args.Int("poll-ms", 5)), TimeSpan.FromSeconds(120));
        var samples = new List<DeploySample>();

        if (mode == "compiled")
        {
            const string route = "/deploy-compiled";
            var (digest, _, _) = await api.UploadAsync(module);
            await api.DeployAsync(app, Binding(route, digest, "r0"));
            await probe.WaitAsync(route, $"{Marker}=r0\n", Stopwatch.GetTimestamp());
            for (var i = 1; i <= count; i++)
            {
                var (_, putMs) = await api.DeployAsync(app, Binding(route, digest, $"r{i}"));
                var served = await probe.WaitAsync(route, $"{Marker}=r{i}\n", Stopwatch.GetTimestamp());
                samples.Add(Report(new DeploySample(double.NaN, putMs, served), i));
                await Task.Delay(250); // let the workers settle (pool refills) before the next one
            }
        }
        else
        {
            for (var i = 1; i <= count; i++)
            {
                var variant = CustomSection.Append(module, $"bench-variant-{Guid.NewGuid():N}", 16);
                var (digest, _, uploadMs) = await api.UploadAsync(variant);
                var route = $"/deploy-fresh-{i}";
                var (_, putMs) = await api.DeployAsync(app, Binding(route, digest, $"f{i}"));
                var served = await probe.WaitAsync(route, expectFresh, Stopwatch.GetTimestamp());
                samples.Add(Report(new DeploySample(uploadMs, putMs, served), i));
                await Task.Delay(250);
            }
        }

        Console.WriteLine(DeploySample.Header(workers.Count));
        Console.WriteLine(DeploySample.Row(mode == "compiled"
            ? $"already compiled ({module.Length / 1024.0:0.#} KB), new env value"
            : $"not yet compiled ({module.Length / 1024.0 / 1024.0:0.00} MB), new digest", samples));
        return 0;
    }

    private static object Binding(string route, string digest, string release) => new
    {
        route,
        module = digest,
        environment = new Dictionary<string, string> { [Marker] = release },
    };

    private static DeploySample Report(DeploySample sample, int i)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"deploy {i}: upload {sample.UploadMs:0} ms, PUT {sample.PutMs:0} ms, served after " +
            $"{string.Join(" / ", sample.ServedMs.Select(ms => ms.ToString("0", CultureInfo.InvariantCulture)))} ms"));
        return sample;
    }
}
