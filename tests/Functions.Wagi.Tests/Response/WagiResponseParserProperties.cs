using System.Text;
using CsCheck;
using Functions.Testing;

namespace Functions.Wagi.Tests.Response;

/// <summary>
/// Properties of the CGI response parser over generated module output: a response rendered from a model parses back
/// to that model, and any bytes at all give either a well-formed response or a documented failure (500 or 502 with
/// problems), never an exception, with allocations bounded by the header block rather than the output.
/// </summary>
public sealed class WagiResponseParserProperties
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string VisibleAscii = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

    private static readonly string[] Dropped =
        ["status", "content-length", "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"];

    private static readonly int[] FailureStatuses = [500, 502];
    private static readonly Gen<string> Value = Gen.String[Gen.Char[VisibleAscii + "  \t"], 0, 24].Select(v => v.Trim(' ', '\t'));

    private static readonly Gen<string> KnownName = Gen.OneOf(
        "Content-Type", "Location", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade",
        "Set-Cookie", "Cache-Control", "ETag").SelectMany(name => RandomCase(name));

    // Names of the module's own headers: "X-" keeps them apart from the names the parser treats specially.
    private static readonly Gen<string> OwnName = Gen.String[Gen.Char[TokenChars], 1, 12].Select(n => "X-" + n);

    private static readonly Gen<ModelHeader> Header = Gen.Frequency(
        (3, Gen.Select(OwnName, Value, (n, v) => new ModelHeader(n, v))),
        (2, Gen.Select(KnownName, Value, (n, v) => new ModelHeader(n, v))),
        (1, Gen.Select(RandomCase("Status"), Gen.Int[200, 999], Value, (n, code, reason) =>
            new ModelHeader(n, reason.Length == 0 ? $"{code}" : $"{code} {reason}"))));

    private static readonly Gen<ModelResponse> Model = Gen.Select(
        Header.Array[0, 12], Gen.Byte.Array[0, 64], Gen.Bool, (headers, body, crlf) => new ModelResponse(headers, body, crlf));

    [Fact]
    public void A_rendered_response_parses_back_to_its_headers_status_and_body()
    {
        Gen.Select(Model, Gen.Int.Array[32]).Sample((model, noise) =>
        {
            var stdout = Render(model, noise);

            var response = WagiResponseParser.Parse(stdout);

            var kept = model.Headers.Where(h => !Dropped.Contains(h.Name.ToLowerInvariant())).ToList();
            var status = model.Headers.FirstOrDefault(h => IsNamed(h, "status"));
            var meaningful = status is not null || kept.Any(h => IsNamed(h, "content-type") || IsNamed(h, "location"));
            Assert.Equal(meaningful, response.IsFromModule);
            if (!meaningful)
            {
                Assert.Equal(500, response.Status);
                return;
            }

            var code = status is not null ? int.Parse(status.Value.AsSpan(0, 3), provider: null)
                : kept.Any(h => IsNamed(h, "location")) ? 302 : 200;
            Assert.Equal(code, response.Status);
            Assert.Equal(status is null || status.Value.Length <= 3 ? null : status.Value[4..], response.Reason);
            Assert.Equal(kept.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)), response.Headers);
            Assert.Equal(code is 204 or 304 ? [] : model.Body, response.Body.ToArray());
        }, iter: PropertyRuns.Iterations(2_000), print: m => Show(Render(m.Item1, m.Item2)));
    }

    [Fact]
    public void Any_output_gives_a_well_formed_response_or_a_documented_failure()
    {
        Output.Sample(stdout =>
        {
            var response = WagiResponseParser.Parse(stdout);
            AssertWellFormed(stdout, response);
        }, iter: PropertyRuns.Iterations(3_000), print: Show);
    }

    [Fact]
    public void What_the_parser_allocates_is_bounded_by_the_header_block_not_by_the_output()
    {
        Output.Sample(stdout =>
        {
            WagiResponseParser.Parse(stdout);
            var before = GC.GetAllocatedBytesForCurrentThread();
            WagiResponseParser.Parse(stdout);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.True(allocated <= AllocationBound(stdout.Length),
                $"{allocated} bytes allocated for {stdout.Length} bytes of output; the bound is {AllocationBound(stdout.Length)}");
        }, iter: PropertyRuns.Iterations(2_000), threads: 1, print: Show);
    }

    /// <summary>
    /// Up to 40 bytes per byte of header block (each header is a pair of strings and a list slot) and never more than
    /// the header block limit allows: the body is a slice of the output, not a copy.
    /// </summary>
    internal static long AllocationBound(int outputLength) =>
        16 * 1024 + (40L * Math.Min(outputLength, WagiResponseParser.MaxHeaderBytes + 2));

    internal static void AssertWellFormed(byte[] stdout, WagiResponse response)
    {
        Assert.NotNull(response.Problems);
        if (!response.IsFromModule)
        {
            Assert.Contains(response.Status, FailureStatuses);
            Assert.Empty(response.Headers);
            Assert.True(response.Body.IsEmpty);
            Assert.NotEmpty(response.Problems);
            return;
        }

        Assert.InRange(response.Status, 200, 999);
        foreach (var (name, value) in response.Headers)
        {
            Assert.True(HttpSyntax.IsToken(name), $"header name '{name}' is not a token");
            Assert.DoesNotContain(name.ToLowerInvariant(), Dropped);
            Assert.True(HttpSyntax.IsFieldValue(Encoding.Latin1.GetBytes(value)), $"header value '{value}' is not a field value");
            Assert.True(value.IndexOfAny(['\r', '\n', '\0']) < 0);
        }

        Assert.True(stdout.AsSpan().EndsWith(response.Body.Span), "the body is not the end of the output");
        if (response.Status is 204 or 304)
        {
            Assert.True(response.Body.IsEmpty);
        }
    }

    /// <summary>Module output: random bytes, lines of likely pieces, and valid responses with a few bytes changed.</summary>
    internal static Gen<byte[]> Output { get; } = Gen.Frequency(
        (4, Gen.Byte.Array[0, 256]),
        (6, Gen.OneOf(
                "Status: ", "Status: 200", "Status: 404 Not Found", "Status: 1", "Content-Type: text/plain", "Location: /x",
                "Content-Length: 3", "Connection: close", "X-A: b", ":", ": ", "a", " ", "\t", "\r", "\n", "\r\n", "\0", "\u00e9", "\u00ff")
            .Array[0, 40].Select(pieces => Encoding.Latin1.GetBytes(string.Concat(pieces)))),
        (6, Gen.Select(Model, Gen.Int.Array[32], Gen.Int.Array[0, 6], Gen.Byte.Array[6], (model, noise, at, bytes) =>
            Mutate(Render(model, noise), at, bytes))),
        // Many short lines: what a hostile module writes to make the parser do the most work per byte; some pass
        // the header block limit.
        (1, ShortLines(Gen.Int[1, 3_000])),
        (1, ShortLines(Gen.Int[10_000, 40_000])));

    private static Gen<byte[]> ShortLines(Gen<int> count) =>
        Gen.Select(Gen.OneOf("x\n", "a:\n", "X-A: 1\r\n", "Status: 200\n", ":\n"), count, Gen.Bool, (line, n, ended) =>
            Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(line, n)) + (ended ? "\nbody" : "")));

    private static byte[] Render(ModelResponse model, int[] noise)
    {
        var text = new StringBuilder();
        for (var i = 0; i < model.Headers.Length; i++)
        {
            var header = model.Headers[i];
            var n = noise[i % noise.Length];
            text.Append(header.Name).Append(Pick(n, " ", "")).Append(':').Append(Pick(n >> 2, " ", "\t", "", "  "))
                .Append(header.Value).Append(Pick(n >> 4, "", " ", "\t")).Append(Pick(n >> 6, "\n", "\r\n"));
        }

        text.Append(model.CrLf ? "\r\n" : "\n");
        return [.. Encoding.ASCII.GetBytes(text.ToString()), .. model.Body];

        static string Pick(int n, params string[] options) => options[(n & 0x7fffffff) % options.Length];
    }

    private static byte[] Mutate(byte[] input, int[] positions, byte[] bytes)
    {
        var list = input.ToList();
        for (var i = 0; i < positions.Length && list.Count > 0; i++)
        {
            var at = (positions[i] & 0x7fffffff) % list.Count;
            switch (positions[i] >>> 29)
            {
                case 0 or 1: list[at] = bytes[i]; break;
                case 2 or 3: list.Insert(at, bytes[i]); break;
                case 4: list.RemoveAt(at); break;
                case 5: list.RemoveRange(at, list.Count - at); break;
                default: list[at] = (byte)"\r\n: \0"[bytes[i] % 5]; break;
            }
        }

        return [.. list];
    }

    private static Gen<string> RandomCase(string name) =>
        Gen.Bool.Array[name.Length].Select(upper => string.Create(name.Length, (name, upper), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = state.name[i];
                span[i] = state.upper[i] ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
            }
        }));

    private static bool IsNamed(ModelHeader header, string name) => header.Name.Equals(name, StringComparison.OrdinalIgnoreCase);

    internal static string Show(byte[] bytes) =>
        $"{bytes.Length} bytes: " + string.Concat(bytes.Take(400).Select(b => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}"));

    private sealed record ModelHeader(string Name, string Value);

    private sealed record ModelResponse(ModelHeader[] Headers, byte[] Body, bool CrLf);
}
