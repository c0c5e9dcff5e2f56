using System.Text;

namespace Functions.Wagi.Tests.Response;

public sealed class WagiResponseParserTests
{
    public static TheoryData<string, int, string> StatusRules => new()
    {
        // stdout, status, body
        { "Content-Type: text/plain\n\nhello", 200, "hello" },
        { "Content-Type: text/plain\r\n\r\nhello", 200, "hello" },
        { "Status: 404\n\nmissing", 404, "missing" },
        { "Status: 404 Not Found\nContent-Type: text/plain\n\nmissing", 404, "missing" },
        { "Status: 201 Created\n\n", 201, "" },
        { "Location: /elsewhere\n\n", 302, "" },
        { "Location: /elsewhere\nStatus: 301\n\n", 301, "" },
        { "Status: 307\nLocation: /elsewhere\n\n", 307, "" },
        { "Location: https://example.com/\nContent-Type: text/html\n\n<a>moved</a>", 302, "<a>moved</a>" },
        { "status: 418 I'm a teapot\n\n", 418, "" },
        { "STATUS:500\n\n", 500, "" },
        { "Status: 999\n\n", 999, "" },
        { "Status: 200\nStatus: 404\n\n", 200, "" },
    };

    [Theory]
    [MemberData(nameof(StatusRules))]
    public void The_status_comes_from_Status_else_302_for_Location_else_200(string stdout, int status, string body)
    {
        var response = Parse(stdout);

        Assert.True(response.IsFromModule, string.Join("; ", response.Problems));
        Assert.Equal(status, response.Status);
        Assert.Equal(body, Encoding.UTF8.GetString(response.Body.Span));
    }

    [Theory]
    [InlineData("Status: abc\n\n")]
    [InlineData("Status: \n\n")]
    [InlineData("Status: 20\n\n")]
    [InlineData("Status: 2000\n\n")]
    [InlineData("Status: 099\n\n")]
    [InlineData("Status: 100 Continue\n\n")]
    [InlineData("Status: 101\n\n")]
    [InlineData("Status: +200\n\n")]
    [InlineData("Status: 2O0\n\n")]
    [InlineData("Status: OK 200\nContent-Type: text/plain\n\nbody")]
    public void An_unparsable_or_non_final_status_code_is_a_502(string stdout)
    {
        var response = Parse(stdout);

        Assert.False(response.IsFromModule);
        Assert.Equal(502, response.Status);
        Assert.Contains(response.Problems, p => p.Contains("Status", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("X-Custom: 1\n\nbody", "none of Content-Type, Status or Location")]
    [InlineData("\nbody", "none of Content-Type, Status or Location")]
    [InlineData("\r\n", "none of Content-Type, Status or Location")]
    [InlineData("Content-Type: text/plain\nbody without a blank line", "no blank line")]
    [InlineData("Content-Type: text/plain", "no blank line")]
    [InlineData("Content-Type: text/plain\n", "no blank line")]
    [InlineData("Content-Type: text/plain\r\n \r\nbody", "no blank line")]
    [InlineData("just some text", "no blank line")]
    [InlineData("", "wrote nothing")]
    [InlineData("Content-Type: text/pl\u00e4in\n\nbody", "none of Content-Type, Status or Location")]
    public void Output_without_a_usable_header_block_is_a_500(string stdout, string problem)
    {
        var response = Parse(stdout);

        Assert.False(response.IsFromModule);
        Assert.Equal(500, response.Status);
        Assert.Empty(response.Headers);
        Assert.True(response.Body.IsEmpty);
        Assert.Contains(response.Problems, p => p.Contains(problem, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Content-Type: text/plain\r\nX-A: 1\n\r\nbody")]
    [InlineData("Content-Type: text/plain\nX-A: 1\r\n\nbody")]
    [InlineData("Content-Type: text/plain\r\nX-A: 1\r\n\r\nbody")]
    [InlineData("Content-Type: text/plain\nX-A: 1\n\nbody")]
    public void Line_ends_may_be_LF_or_CRLF_mixed_freely(string stdout)
    {
        var response = Parse(stdout);

        Assert.Equal([H("Content-Type", "text/plain"), H("X-A", "1")], response.Headers);
        Assert.Equal("body", Encoding.ASCII.GetString(response.Body.Span));
        Assert.Empty(response.Problems);
    }

    [Fact]
    public void The_Status_header_is_not_forwarded_and_its_reason_is_kept()
    {
        var response = Parse("Status: 404 Not  Here \nContent-Type: text/plain\n\n");

        Assert.Equal([H("Content-Type", "text/plain")], response.Headers);
        Assert.Equal("Not  Here", response.Reason);
    }

    [Fact]
    public void A_status_without_a_reason_has_none()
    {
        Assert.Null(Parse("Status: 404\n\n").Reason);
    }

    [Fact]
    public void Repeated_headers_are_all_kept_in_order()
    {
        var response = Parse("Content-Type: text/plain\nSet-Cookie: a=1\nX-B: 1\nSet-Cookie: b=2; Path=/\nset-cookie: c=3\n\n");

        Assert.Equal(
            [H("Content-Type", "text/plain"), H("Set-Cookie", "a=1"), H("X-B", "1"), H("Set-Cookie", "b=2; Path=/"), H("set-cookie", "c=3")],
            response.Headers);
    }

    [Theory]
    [InlineData("X-Spaces:   padded value \t", "X-Spaces", "padded value")]
    [InlineData("  X-Lead : v", "X-Lead", "v")]
    [InlineData("X-Empty:", "X-Empty", "")]
    [InlineData("X-Colon: a:b:c", "X-Colon", "a:b:c")]
    [InlineData("X-Tab: a\tb", "X-Tab", "a\tb")]
    [InlineData("x-token!#$%&'*+-.^_`|~: v", "x-token!#$%&'*+-.^_`|~", "v")]
    public void Header_names_and_values_are_trimmed_and_kept_as_written(string line, string name, string value)
    {
        var response = Parse($"Content-Type: text/plain\n{line}\n\n");

        Assert.Equal([H("Content-Type", "text/plain"), H(name, value)], response.Headers);
    }

    [Theory]
    [InlineData("No colon here", "has no ':' and was skipped")]
    [InlineData(": no name", "is not a legal HTTP header name")]
    [InlineData("Bad Name: v", "is not a legal HTTP header name")]
    [InlineData("Bad(Name): v", "is not a legal HTTP header name")]
    [InlineData("Bad\u00e9: v", "is not a legal HTTP header name")]
    [InlineData("X-Ctl: a\u0001b", "has control or non-ASCII bytes")]
    [InlineData("X-Nul: a\0b", "has control or non-ASCII bytes")]
    [InlineData("X-Cr: a\rb", "has control or non-ASCII bytes")]
    [InlineData("X-Del: a\u007fb", "has control or non-ASCII bytes")]
    [InlineData("X-Utf8: caf\u00e9", "has control or non-ASCII bytes")]
    public void An_illegal_header_line_is_dropped_and_reported_without_failing_the_response(string line, string problem)
    {
        var response = Parse($"Content-Type: text/plain\n{line}\nX-After: ok\n\nbody");

        Assert.True(response.IsFromModule);
        Assert.Equal(200, response.Status);
        Assert.Equal([H("Content-Type", "text/plain"), H("X-After", "ok")], response.Headers);
        Assert.Equal("body", Encoding.ASCII.GetString(response.Body.Span));
        var reported = Assert.Single(response.Problems);
        Assert.Contains(problem, reported, StringComparison.Ordinal);
        Assert.Contains("line 2", reported, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Connection: close")]
    [InlineData("Keep-Alive: timeout=5")]
    [InlineData("Transfer-Encoding: chunked")]
    [InlineData("TE: trailers")]
    [InlineData("Trailer: X-Sum")]
    [InlineData("Upgrade: websocket")]
    [InlineData("Proxy-Connection: keep-alive")]
    public void Hop_by_hop_headers_from_the_module_are_dropped(string line)
    {
        var response = Parse($"Content-Type: text/plain\n{line}\n\nbody");

        Assert.Equal([H("Content-Type", "text/plain")], response.Headers);
        Assert.Contains("hop-by-hop", Assert.Single(response.Problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Content-Length: 4", false)]
    [InlineData("Content-Length: 99", true)]
    [InlineData("content-length: x", true)]
    public void Content_length_from_the_module_is_dropped_and_a_wrong_one_reported(string line, bool reported)
    {
        var response = Parse($"Content-Type: text/plain\n{line}\n\nbody");

        Assert.Equal([H("Content-Type", "text/plain")], response.Headers);
        Assert.Equal(reported, response.Problems.Count == 1);
    }

    [Fact]
    public void A_binary_body_is_every_byte_after_the_blank_line_unchanged()
    {
        byte[] body = [0, 1, 2, (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n', 0xFF, 0xFE, (byte)'\n', (byte)'\n', 0, (byte)':', 0x80];
        byte[] stdout = [.. "Content-Type: application/octet-stream\r\n\r\n"u8, .. body];

        var response = WagiResponseParser.Parse(stdout);

        Assert.Equal(body, response.Body.ToArray());
        Assert.Equal(200, response.Status);
    }

    [Fact]
    public void The_body_is_a_slice_of_stdout_not_a_copy()
    {
        var stdout = "Content-Type: text/plain\n\nbody"u8.ToArray();

        var response = WagiResponseParser.Parse(stdout);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(response.Body, out var segment));
        Assert.Same(stdout, segment.Array);
        Assert.Equal(stdout.Length - 4, segment.Offset);
    }

    [Fact]
    public void A_big_body_is_passed_whole()
    {
        var body = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(body);
        byte[] stdout = [.. "Content-Type: application/octet-stream\n\n"u8, .. body];

        var response = WagiResponseParser.Parse(stdout);

        Assert.Equal(body.Length, response.Body.Length);
        Assert.True(body.AsSpan().SequenceEqual(response.Body.Span));
    }

    [Fact]
    public void A_blank_line_inside_the_body_belongs_to_the_body()
    {
        var response = Parse("Content-Type: text/plain\n\nfirst\n\nX-Not-A-Header: 1\n\nlast");

        Assert.Equal("first\n\nX-Not-A-Header: 1\n\nlast", Encoding.ASCII.GetString(response.Body.Span));
        Assert.Single(response.Headers);
    }

    [Fact]
    public void A_response_that_ends_with_the_blank_line_has_an_empty_body()
    {
        var response = Parse("Content-Type: text/plain\n\n");

        Assert.True(response.IsFromModule);
        Assert.Equal(200, response.Status);
        Assert.True(response.Body.IsEmpty);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public void A_status_that_forbids_a_body_loses_the_body_the_module_wrote(int status)
    {
        var response = Parse($"Status: {status}\n\nunexpected");

        Assert.Equal(status, response.Status);
        Assert.True(response.Body.IsEmpty);
        Assert.Contains("cannot have a body", Assert.Single(response.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Many_headers_are_all_read()
    {
        var lines = string.Concat(Enumerable.Range(0, 500).Select(i => $"X-H{i}: {i}\n"));

        var response = Parse($"Content-Type: text/plain\n{lines}\nbody");

        Assert.Equal(501, response.Headers.Count);
        Assert.Equal(H("X-H499", "499"), response.Headers[^1]);
    }

    [Fact]
    public void Headers_that_do_not_end_within_64_KiB_are_a_502_however_much_the_module_wrote()
    {
        // Found by WagiResponseParserProperties: every short header line cost a list entry and two strings, so a
        // module writing its whole output limit in header lines made the worker hold gigabytes for one request.
        var lines = string.Concat(Enumerable.Repeat("X-A: 1\n", 20_000));

        var response = Parse($"Content-Type: text/plain\n{lines}\nbody");

        Assert.False(response.IsFromModule);
        Assert.Equal(502, response.Status);
        Assert.Contains("do not end within 64 KiB", response.Problems[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_block_of_exactly_64_KiB_is_read()
    {
        var head = "Content-Type: text/plain\nX-Pad: ";
        var pad = new string('p', WagiResponseParser.MaxHeaderBytes - head.Length - 2);

        var response = Parse($"{head}{pad}\n\nbody");

        Assert.True(response.IsFromModule, string.Join("; ", response.Problems));
        Assert.Equal(pad, response.Headers[1].Value);
        Assert.Equal("body", Encoding.ASCII.GetString(response.Body.Span));
    }

    [Fact]
    public void Many_bad_header_lines_get_twenty_problems_described_and_the_rest_counted()
    {
        // Found by WagiResponseParserProperties (":\n" lines): each bad line added a ~130-character problem, all of
        // them logged, so 4 KiB of output cost 0.5 MB and thousands of log lines.
        var stdout = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(":\n", 2_000)) + "Content-Type: text/plain\n\n");
        WagiResponseParser.Parse(stdout);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var response = WagiResponseParser.Parse(stdout);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(response.IsFromModule);
        Assert.Equal(WagiResponseParser.MaxProblems + 1, response.Problems.Count);
        Assert.Equal("1980 more header line problem(s) not described (the first 20 are)", response.Problems[^1]);
        Assert.InRange(allocated, 0, 64 * 1024);
    }

    [Fact]
    public void A_problem_quotes_unprintable_bytes_escaped_and_long_lines_shortened()
    {
        var response = Parse($"Content-Type: text/plain\n\u0001{new string('x', 300)}\n\n");

        var problem = Assert.Single(response.Problems);
        Assert.Contains("\\x01xxx", problem, StringComparison.Ordinal);
        Assert.Contains("…", problem, StringComparison.Ordinal);
        Assert.True(problem.Length < 200);
    }

    private static WagiResponse Parse(string stdout) => WagiResponseParser.Parse(Encoding.UTF8.GetBytes(stdout));

    private static KeyValuePair<string, string> H(string name, string value) => new(name, value);
}
