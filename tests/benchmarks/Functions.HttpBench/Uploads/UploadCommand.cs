using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Uploads;

/// <summary>
/// <c>upload</c>: POST /api/v1/modules end to end (send, validate, store, answer) for modules of --mib MiB made by
/// appending a custom section to a small module; each one new (its own digest), then the last one again (the
/// content-addressed "already have it" path). One untimed upload first warms the control plane up.
/// </summary>
internal static class UploadCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var module = File.ReadAllBytes(args.Required("module"));
        var mib = args.Int("mib", 10);
        var count = args.Int("count", 10);
        using var admin = Clients.Create(2, args.Required("bearer"), TimeSpan.FromSeconds(120));
        admin.BaseAddress = args.Url("control-plane");
        var api = new ControlPlaneApi(admin);

        byte[] Variant(int i) => CustomSection.Append(module, $"bench-upload-{Guid.NewGuid():N}", mib * 1024 * 1024, (byte)i);

        await api.UploadAsync(Variant(0));
        var fresh = new List<double>();
        var statuses = new List<int>();
        byte[] last = [];
        for (var i = 1; i <= count; i++)
        {
            last = Variant(i);
            var (_, status, ms) = await api.UploadAsync(last);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"upload {i}: {last.Length} bytes → {status} in {ms:0} ms"));
            fresh.Add(ms);
            statuses.Add(status);
        }

        var again = new List<double>();
        for (var i = 1; i <= Math.Min(count, 5); i++)
        {
            var (_, status, ms) = await api.UploadAsync(last);
            again.Add(ms);
            statuses.Add(status);
        }

        var size = string.Create(CultureInfo.InvariantCulture, $"{last.Length} B ({last.Length / 1048576.0:0.00} MiB)");
        var mix = string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
        Console.WriteLine($"| upload | module | n | median ms | min | max |  \n|---|---|---|---|---|---|");
        Console.WriteLine(Row("new module (stored)", size, new Percentiles(fresh)));
        Console.WriteLine(Row("same bytes again (found by digest)", size, new Percentiles(again)));
        Console.Error.WriteLine($"upload statuses: {mix}");
        return 0;
    }

    private static string Row(string what, string size, Percentiles p) =>
        $"| {what} | {size} | {p.Count} | **{Percentiles.Ms(p.Median)}** | {Percentiles.Ms(p.Min)} | {Percentiles.Ms(p.Max)} |";
}
