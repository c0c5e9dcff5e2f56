using System.Globalization;
using System.Text;

namespace Functions.Wagi;

/// <summary>
/// Turns a module's stdout into a response (WAGI.md, "Output"): header lines, a blank line, the body.
/// Never throws on anything a module can write.
/// </summary>
/// <remarks>
/// Lines end in <c>\n</c> or <c>\r\n</c>, mixed freely. Names and values are trimmed of spaces and tabs
/// (as WAGI does), then a name must be an RFC 9110 token and a value visible ASCII with inner spaces and
/// tabs; anything else is dropped and reported in <see cref="WagiResponse.Problems"/>. Also dropped:
/// <c>Content-Length</c> (the worker frames the body itself; a wrong one is reported) and hop-by-hop
/// headers (<c>Connection</c>, <c>Keep-Alive</c>, <c>Transfer-Encoding</c>, <c>TE</c>, <c>Trailer</c>,
/// <c>Upgrade</c>, <c>Proxy-Connection</c>). The first <c>Status</c> counts; later ones are reported.
/// A code outside 200..999 is unparsable here: a 1xx is not a final response. A response that ends with the
/// blank line has an empty body; a 204 or 304 that has a body loses it (HTTP forbids one), with a problem.
/// When the output is unusable the result has <see cref="WagiResponse.IsFromModule"/> false, the status to
/// answer (500 or 502), no headers, no body: <see cref="WagiResult.From"/> adds the error body.
/// What parsing holds is bounded by the header block, never by the output: a header block (blank line included)
/// longer than <see cref="MaxHeaderBytes"/> is a 502, as nginx answers "upstream sent too big header", and at most
/// <see cref="MaxProblems"/> problems are described, then counted.
/// </remarks>
public static class WagiResponseParser
{
    /// <summary>The longest header block read, its blank line included; past it the response is a 502.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>The most problems described for one response; the rest are counted in one last problem.</summary>
    public const int MaxProblems = 20;

    private const int ExcerptLength = 80;

    /// <summary>Parses a module's complete stdout.</summary>
    public static WagiResponse Parse(ReadOnlyMemory<byte> stdout) => Parse(stdout, out _);

    /// <summary>Parses; <paramref name="hasStatus"/> tells whether a complete header block had a <c>Status</c>.</summary>
    internal static WagiResponse Parse(ReadOnlyMemory<byte> stdout, out bool hasStatus)
    {
        hasStatus = false;
        var output = stdout.Span;
        if (output.IsEmpty)
        {
            return Failure(500, "the module wrote nothing to stdout; print headers (at least 'Content-Type: ...'), a blank line, then the body");
        }

        var state = new HeaderState();
        var position = 0;
        var lineNumber = 0;
        var ended = false;
        while (position < output.Length)
        {
            var window = output.Slice(position, Math.Min(output.Length, MaxHeaderBytes) - position);
            var newline = window.IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (output.Length > MaxHeaderBytes)
                {
                    state.CountSuppressed();
                    return Failure(502, [.. state.Problems, $"the headers do not end within {MaxHeaderBytes / 1024} KiB (read {lineNumber} header line(s)); print fewer or shorter headers, then a blank line"]);
                }

                break;
            }

            var line = output.Slice(position, newline);
            position += newline + 1;
            lineNumber++;
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                ended = true;
                break;
            }

            state.Read(line, lineNumber);
        }

        state.CountSuppressed();

        if (!ended)
        {
            state.Problems.Add($"the output has no blank line ending the headers (read {lineNumber} header line(s)); print an empty line after the headers, even when there is no body");
            return Failure(500, state.Problems);
        }

        hasStatus = state.StatusSeen;
        if (state.StatusSeen && state.Status == 0)
        {
            return Failure(502, state.Problems);
        }

        if (!state.StatusSeen && !state.HasContentType && !state.HasLocation)
        {
            state.Problems.Add("the headers name none of Content-Type, Status or Location, so the response means nothing; print at least 'Content-Type: ...'");
            return Failure(500, state.Problems);
        }

        var status = state.StatusSeen ? state.Status : state.HasLocation ? 302 : 200;
        var body = stdout[position..];
        if (state.DeclaredLength is { } declared && declared != body.Length.ToString(CultureInfo.InvariantCulture))
        {
            state.Problems.Add($"Content-Length: {declared} was dropped: the body has {body.Length} bytes");
        }

        if (status is 204 or 304 && !body.IsEmpty)
        {
            state.Problems.Add($"status {status} cannot have a body; dropped {body.Length} bytes");
            body = ReadOnlyMemory<byte>.Empty;
        }

        return new WagiResponse
        {
            Status = status,
            Reason = state.Reason,
            Headers = state.Headers,
            Body = body,
            Problems = state.Problems,
            IsFromModule = true,
        };
    }

    private static WagiResponse Failure(int status, string problem) => Failure(status, [problem]);

    private static WagiResponse Failure(int status, List<string> problems) =>
        new() { Status = status, Problems = problems, IsFromModule = false };

    /// <summary>A printable excerpt of module output for a log line: non-printable bytes as <c>\xNN</c>.</summary>
    internal static string Excerpt(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(Math.Min(bytes.Length, ExcerptLength) + 8);
        foreach (var b in bytes)
        {
            if (text.Length >= ExcerptLength)
            {
                text.Append('…');
                break;
            }

            if (b is >= 0x20 and < 0x7F)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
            }
        }

        return text.ToString();
    }

    /// <summary>What the header lines said so far.</summary>
    private sealed class HeaderState
    {
        public List<KeyValuePair<string, string>> Headers { get; } = [];

        public List<string> Problems { get; } = [];

        public bool StatusSeen { get; private set; }

        /// <summary>The code from <c>Status</c>; 0 when it could not be read.</summary>
        public int Status { get; private set; }

        public string? Reason { get; private set; }

        public bool HasContentType { get; private set; }

        public bool HasLocation { get; private set; }

        public string? DeclaredLength { get; private set; }

        private int _suppressed;

        /// <summary>Adds one problem saying how many line problems were not described, if any were.</summary>
        public void CountSuppressed()
        {
            if (_suppressed > 0)
            {
                Problems.Add($"{_suppressed} more header line problem(s) not described (the first {MaxProblems} are)");
                _suppressed = 0;
            }
        }

        public void Read(ReadOnlySpan<byte> line, int lineNumber)
        {
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                if (Describes())
                {
                    Problems.Add($"header line {lineNumber} '{Excerpt(line)}' has no ':' and was skipped; write 'Name: value'");
                }

                return;
            }

            var name = Trim(line[..colon]);
            var value = Trim(line[(colon + 1)..]);
            if (!HttpSyntax.IsToken(name))
            {
                if (Describes())
                {
                    Problems.Add($"header line {lineNumber}: the name '{Excerpt(name)}' is not a legal HTTP header name; dropped");
                }

                return;
            }

            if (!HttpSyntax.IsFieldValue(value))
            {
                if (Describes())
                {
                    Problems.Add($"header line {lineNumber}: the value of '{Excerpt(name)}' has control or non-ASCII bytes ('{Excerpt(value)}'); dropped");
                }

                return;
            }

            var known = KnownHeaders.Find(name);
            switch (known.Kind)
            {
                case HeaderKind.Status:
                    ReadStatus(value, lineNumber);
                    return;
                case HeaderKind.ContentLength:
                    DeclaredLength ??= Encoding.ASCII.GetString(value);
                    return;
                case HeaderKind.HopByHop:
                    if (Describes())
                    {
                        Problems.Add($"header line {lineNumber}: '{Excerpt(name)}' is a hop-by-hop header the server manages; dropped");
                    }

                    return;
                case HeaderKind.ContentType:
                    HasContentType = true;
                    break;
                case HeaderKind.Location:
                    HasLocation = true;
                    break;
            }

            Headers.Add(new(known.Name ?? Encoding.ASCII.GetString(name), Encoding.ASCII.GetString(value)));
        }

        private void ReadStatus(ReadOnlySpan<byte> value, int lineNumber)
        {
            if (StatusSeen)
            {
                if (Describes())
                {
                    Problems.Add($"header line {lineNumber}: a second Status was ignored; the first one counts");
                }

                return;
            }

            StatusSeen = true;
            var space = value.IndexOfAny((byte)' ', (byte)'\t');
            var code = space < 0 ? value : value[..space];
            if (code.Length != 3 || code.ContainsAnyExceptInRange((byte)'0', (byte)'9')
                || !int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 200)
            {
                if (Describes())
                {
                    Problems.Add($"header line {lineNumber}: 'Status: {Excerpt(value)}' needs a final status code 200..999 first, e.g. 'Status: 404 Not Found'");
                }

                return;
            }

            Status = status;
            var reason = space < 0 ? default : Trim(value[space..]);
            Reason = reason.IsEmpty ? null : Encoding.ASCII.GetString(reason);
        }

        /// <summary>True while problems are still described one by one; afterwards they are only counted.</summary>
        private bool Describes()
        {
            if (Problems.Count < MaxProblems)
            {
                return true;
            }

            _suppressed++;
            return false;
        }

        private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text) => text.Trim(" \t"u8);
    }
}
