using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Density;

/// <summary>One deployed route of the density benchmark: its app, its path and the index of its module.</summary>
internal sealed record DensityRoute(string App, string Route, int Module);

/// <summary>
/// The files the density commands share (tests/benchmarks/density.sh keeps them in its output folder): the digests of
/// the uploaded modules, one a line (line i is module i), and the routes as deployed, <c>app TAB route TAB module</c>.
/// </summary>
internal static class DensityLayout
{
    /// <summary>The name of the custom section that makes each copy of the module distinct; its payload is the index.</summary>
    public const string SectionName = "functions-density";

    /// <summary>Module <paramref name="index"/>: the module with a custom section holding the index in ASCII.</summary>
    public static byte[] Variant(byte[] module, int index) =>
        CustomSection.Append(module, SectionName, System.Text.Encoding.ASCII.GetBytes(index.ToString(CultureInfo.InvariantCulture)));

    public static string[] ReadDigests(string path) =>
        [.. File.ReadAllLines(path).Where(line => line.Length > 0)];

    /// <summary>
    /// <paramref name="total"/> routes over <paramref name="apps"/> apps named <c>{prefix}-{a}</c> (the first apps take
    /// one more when the split is uneven); route j of app a is <c>/{prefix}-{a}/f{j}</c> and runs module
    /// (its global index) mod <paramref name="modules"/>, so each module serves total / modules routes.
    /// </summary>
    public static List<DensityRoute> Plan(string prefix, int apps, int total, int modules)
    {
        var routes = new List<DensityRoute>(total);
        var global = 0;
        for (var a = 0; a < apps; a++)
        {
            var count = total / apps + (a < total % apps ? 1 : 0);
            for (var j = 0; j < count; j++, global++)
            {
                routes.Add(new DensityRoute($"{prefix}-{a}", $"/{prefix}-{a}/f{j}", global % modules));
            }
        }

        return routes;
    }

    public static void WriteRoutes(string path, IEnumerable<DensityRoute> routes) =>
        File.WriteAllLines(path, routes.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.App}\t{r.Route}\t{r.Module}")));

    public static List<DensityRoute> ReadRoutes(string path) =>
    [
        .. File.ReadAllLines(path).Where(line => line.Length > 0).Select(line =>
        {
            var parts = line.Split('\t');
            return new DensityRoute(parts[0], parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
        }),
    ];

    /// <summary>The workers' base addresses from <c>--workers URL,URL</c>, each ending in '/'.</summary>
    public static List<Uri> Workers(Arguments args, string option = "workers") =>
    [
        .. args.Required(option).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => new Uri(w.EndsWith('/') ? w : w + "/")),
    ];

    /// <summary>A route binding as PUT /api/v1/apps/{name} takes it.</summary>
    public static Dictionary<string, object> Binding(string route, string digest, IReadOnlyDictionary<string, string>? environment = null,
        int? memoryMb = null)
    {
        var binding = new Dictionary<string, object> { ["route"] = route, ["module"] = digest };
        if (environment is not null)
        {
            binding["environment"] = environment;
        }

        if (memoryMb is { } mb)
        {
            binding["limits"] = new Dictionary<string, int> { ["memoryMb"] = mb };
        }

        return binding;
    }

    /// <summary>Seconds with one decimal, or milliseconds below 10 s, for a report cell.</summary>
    public static string Duration(double ms) => ms >= 10_000
        ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:0} ms");

    /// <summary>A control plane's or worker's answer cut to one short line for a table cell.</summary>
    public static string Brief(string text, int max = 160)
    {
        // Table-safe: no line breaks, no cell separators, no backticks (the report puts the text in a code span).
        var line = string.Join(' ', text.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Replace('|', '/').Replace('`', '\'');
        return line.Length <= max ? line : line[..max] + "…";
    }
}
