using System.Globalization;

namespace Functions.HttpBench.Common;

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Arguments Parse(ReadOnlySpan<string> args)
    {
        var parsed = new Arguments();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new UsageException($"expected '--name value' pairs, got '{args[i]}'");
            }

            parsed._values[args[i][2..]] = args[i + 1];
        }

        return parsed;
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new UsageException($"--{name} is required");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;

    public int Int(string name, int fallback) => Number(name, fallback, int.Parse);

    public double Double(string name, double fallback) => Number(name, fallback, double.Parse);

    public Uri Url(string name) =>
        Uri.TryCreate(Required(name), UriKind.Absolute, out var url) ? url : throw new UsageException($"--{name} must be an absolute URL");

    private T Number<T>(string name, T fallback, Func<string, IFormatProvider, T> parse)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        try
        {
            return parse(text, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            throw new UsageException($"--{name} must be a number, got '{text}'");
        }
    }
}
