using System.Text;
using CsCheck;
using Functions.Testing;

namespace Functions.Wagi.Tests.Routing;

/// <summary>
/// Properties of route patterns, the route table and the percent decoder: parsing never throws and keeps the route
/// as written, matching agrees with a plain reference model (exact first, then the longest wildcard prefix), and
/// decoding agrees with a byte-level reference and inverts percent-encoding.
/// </summary>
public sealed class RoutingProperties
{
    // Segments from a small alphabet so that generated routes and paths often share prefixes.
    private static readonly Gen<string> Segment = Gen.OneOf("a", "b", "ab", "a.b", "%41", "%2F", "x-y", "", ".", "..", "...", "a...", "%", "%G1", "?", "#", "\u00e9", " ");
    private static readonly Gen<string> PathSegment = Gen.OneOf("a", "b", "ab", "a.b", "%41", "%2F", "x-y", "", "...", "%", "%e9");

    private static readonly Gen<string> RouteText = Gen.Frequency(
        (4, Segment.Array[0, 5].Select(segments => "/" + string.Join('/', segments))),
        (1, Gen.String[Gen.Char["/.%a-?# \t\u00e9\u0000Aa9"], 0, 16]),
        (1, Gen.String));

    private static readonly Gen<string> BindableRoute = Gen.Select(
        Gen.OneOf("a", "b", "ab", "a.b", "%41", "%2F", "x-y").Array[0, 4], Gen.OneOf("", "", "/", "/..."),
        (segments, end) => ("/" + string.Join('/', segments) + end).Replace("//", "/", StringComparison.Ordinal));

    private static readonly Gen<string> RawPath = Gen.Frequency(
        (6, PathSegment.Array[0, 6].Select(segments => "/" + string.Join('/', segments))),
        (1, Gen.String[Gen.Char["/a%.2F"], 0, 12]));

    [Fact]
    public void Parsing_any_text_never_throws_and_a_parsed_route_keeps_its_text()
    {
        RouteText.Sample(text =>
        {
            if (!RoutePattern.TryParse(text, out var pattern, out var error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
                Assert.Throws<FormatException>(() => RoutePattern.Parse(text));
                return;
            }

            Assert.Equal(text, pattern.Text);
            Assert.StartsWith("/", text, StringComparison.Ordinal);
            Assert.Equal(text.EndsWith("/...", StringComparison.Ordinal), pattern.IsWildcard);
            Assert.Equal(text, pattern.IsWildcard ? pattern.Prefix + "/..." : pattern.Prefix);
            Assert.Equal(pattern.Prefix.Length == 0 ? "/" : pattern.Prefix, pattern.ScriptName);
            Assert.Equal(pattern, RoutePattern.Parse(pattern.ToString()));
            Assert.True(text.All(c => c is > ' ' and < '\u007f' and not '?' and not '#'), $"'{text}' has a character a route may not have");
        }, iter: PropertyRuns.Iterations(5_000));
    }

    [Fact]
    public void The_route_table_agrees_with_a_reference_model_of_exact_then_longest_prefix()
    {
        var routes = Gen.Frequency((4, BindableRoute), (1, RouteText)).Select(t => RoutePattern.TryParse(t, out var p, out _) ? p : null).Array[0, 10]
            .Select(ps => ps.OfType<RoutePattern>().DistinctBy(p => p.Text).ToArray());

        Gen.Select(routes, RawPath.Array[1, 8]).Sample((patterns, paths) =>
        {
            var table = new RouteTable<string>(patterns.Select(p => (p, p.Text)));
            foreach (var path in paths)
            {
                var expected = Reference(patterns, path);
                var match = table.Match(path);

                Assert.Equal(expected?.Text, match?.Pattern.Text);
                foreach (var pattern in patterns)
                {
                    Assert.Equal(ReferenceIsMatch(pattern, path), pattern.IsMatch(path));
                }

                if (match is not null)
                {
                    Assert.Equal(match.Pattern.Text, match.Value);
                    Assert.Equal(path, match.RawPath);
                    Assert.Equal(match.Pattern.IsWildcard && path.Length > match.Pattern.Prefix.Length ? path[match.Pattern.Prefix.Length..] : "", match.RawPathInfo);
                    Assert.Equal(match.RawPathInfo.Contains('%', StringComparison.Ordinal) ? ReferenceDecode(match.RawPathInfo) : match.RawPathInfo, match.PathInfo);
                }
            }
        }, iter: PropertyRuns.Iterations(3_000));
    }

    [Fact]
    public void Percent_decoding_a_percent_encoded_string_gives_it_back()
    {
        // Any Unicode text without lone surrogates (which UTF-8 cannot carry), every byte or only some encoded.
        var text = Gen.Frequency((3, Gen.String), (1, Gen.String[Gen.Char["%+/aé\u4e2d"], 0, 12]))
            .Select(s => new string(s.Where(c => !char.IsSurrogate(c)).ToArray()));
        var withPairs = Gen.Select(text, Gen.Int[0x10000, 0x10FFFF].Array[0, 3], (s, extra) => s + string.Concat(extra.Select(char.ConvertFromUtf32)));

        Gen.Select(withPairs, Gen.Bool.Array[64], Gen.Bool).Sample((original, encodeByte, upper) =>
        {
            var bytes = Encoding.UTF8.GetBytes(original);
            var encoded = new StringBuilder();
            for (var i = 0; i < bytes.Length; i++)
            {
                // '%' must always be encoded; other ASCII bytes may stay as they are.
                var b = bytes[i];
                if (b == '%' || b >= 0x80 || encodeByte[i % encodeByte.Length])
                {
                    encoded.Append('%').Append(upper ? b.ToString("X2", null) : b.ToString("x2", null));
                }
                else
                {
                    encoded.Append((char)b);
                }
            }

            Assert.Equal(original, PercentDecoder.Decode(encoded.ToString()));
        }, iter: PropertyRuns.Iterations(5_000));
    }

    [Fact]
    public void Percent_decoding_any_string_agrees_with_a_byte_level_reference_and_never_throws()
    {
        var raw = Gen.Frequency(
            (3, Gen.String),
            (3, Gen.String[Gen.Char["%0123456789abcdefABCDEFgG+/\u00e9\ud800\udc00"], 0, 24]),
            (1, Gen.String[Gen.Char["%0a"], 400, 1200]));

        raw.Sample(text =>
        {
            var decoded = PercentDecoder.Decode(text);

            // Without an escape the text comes back as is (a lone surrogate too, which the reference would replace).
            if (text.Contains('%', StringComparison.Ordinal))
            {
                Assert.Equal(ReferenceDecode(text), decoded);
            }
            else
            {
                Assert.Same(text, decoded);
            }
        }, iter: PropertyRuns.Iterations(5_000), print: Codes);
    }

    private static string Codes(string text) => string.Join(' ', text.Select(c => ((int)c).ToString("X4", null)));

    private static RoutePattern? Reference(RoutePattern[] patterns, string path) => !path.StartsWith('/') ? null :
        patterns.FirstOrDefault(p => !p.IsWildcard && p.Text == path)
        ?? patterns.Where(p => p.IsWildcard && ReferenceIsMatch(p, path)).MaxBy(p => p.Prefix.Length);

    private static bool ReferenceIsMatch(RoutePattern pattern, string path) =>
        pattern.IsWildcard
            ? path == pattern.Prefix || path.StartsWith(pattern.Prefix + "/", StringComparison.Ordinal)
            : path == pattern.Text;

    /// <summary>Percent-decoding done on the UTF-8 bytes of the text: <c>%XX</c> → byte, everything else as is.</summary>
    private static string ReferenceDecode(string text)
    {
        var input = Encoding.UTF8.GetBytes(text);
        var output = new List<byte>(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == '%' && i + 2 < input.Length && Uri.IsHexDigit((char)input[i + 1]) && Uri.IsHexDigit((char)input[i + 2]))
            {
                output.Add(Convert.ToByte(Encoding.ASCII.GetString(input, i + 1, 2), 16));
                i += 2;
            }
            else
            {
                output.Add(input[i]);
            }
        }

        return Encoding.UTF8.GetString([.. output]);
    }
}
