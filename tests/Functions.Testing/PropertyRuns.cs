using System.Globalization;

namespace Functions.Testing;

/// <summary>
/// How many inputs a property test tries. Each property keeps a small default so that the normal <c>dotnet test</c>
/// run stays short; <c>FUNCTIONS_PROPERTY_ITERATIONS</c> replaces every default for a long run
/// (<c>tests/fuzz/run.sh</c> sets it to 1,000,000).
/// </summary>
public static class PropertyRuns
{
    public const string Variable = "FUNCTIONS_PROPERTY_ITERATIONS";

    /// <summary><paramref name="defaultCount"/>, or the count the environment asks for.</summary>
    public static long Iterations(long defaultCount)
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultCount;
        }

        return long.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : throw new InvalidOperationException($"{Variable}='{text}' is not a positive whole number of inputs.");
    }
}
