using System.Globalization;
using CsCheck;
using Functions.Testing;

namespace Functions.Wagi.Tests.Request;

/// <summary>
/// Properties of the request environment and argv over generated requests: every variable WAGI.md lists is there
/// once, names are unique, configured variables survive headers, headers become <c>HTTP_*</c> as a reference model
/// says, and no value carries a NUL (nor CR/LF, except the decoded path info) for any request Kestrel can deliver.
/// </summary>
/// <remarks>
/// Header names with <c>_</c> and the <c>Proxy</c> header are generated too, but only checked for safety: they may
/// be dropped (httpoxy, and nginx's rule against <c>_</c> names), so the exact model covers the other names.
/// </remarks>
public sealed class WagiEnvironmentProperties
{
    private const string TokenChars = "!#$%&'*+-.^`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string FieldChars = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\t";
    private const string PathChars = "/abcAZ09-._~!$&'()*+,;=:@%";

    // WAGI.md, "Environment (every request)".
    private static readonly string[] Listed =
    [
        "REQUEST_METHOD", "SERVER_PROTOCOL", "GATEWAY_INTERFACE", "SERVER_SOFTWARE", "SERVER_NAME", "SERVER_PORT",
        "REMOTE_ADDR", "REMOTE_HOST", "AUTH_TYPE", "REMOTE_USER", "QUERY_STRING", "SCRIPT_NAME", "PATH_INFO",
        "PATH_TRANSLATED", "X_RAW_PATH_INFO", "X_MATCHED_ROUTE", "X_FULL_URL", "CONTENT_LENGTH", "CONTENT_TYPE",
        "X_REQUEST_ID",
    ];

    private static readonly string[] NeverPassed =
        ["AUTHORIZATION", "PROXY_AUTHORIZATION", "CONNECTION", "KEEP_ALIVE", "PROXY_CONNECTION", "TE", "TRAILER", "TRANSFER_ENCODING", "UPGRADE"];

    private static readonly Gen<string> HeaderName = Gen.Frequency(
        (6, Gen.String[Gen.Char[TokenChars], 1, 10]),
        (3, Gen.OneOf("Accept", "accept", "X-Forwarded-For", "x-forwarded-for", "Cookie", "Host", "Authorization",
            "Proxy-Authorization", "Connection", "Keep-Alive", "TE", "Upgrade", "Trailer", "Transfer-Encoding", "X-Hop")),
        (1, Gen.OneOf("Proxy", "X_Forwarded_For", "x_hop", "Accept_", "Bad Name", "", "Caf\u00e9")));

    private static readonly Gen<string> FieldValue = Gen.String[Gen.Char[FieldChars], 0, 16].Select(v => v.Trim(' ', '\t'));

    private static readonly Gen<string> Host = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("example.com", "a", "[::1]", "10.0.0.1", "xn--caf-dma.example"), Gen.Int[0, 70000], Gen.Bool,
            (name, port, withPort) => withPort ? $"{name}:{port}" : name)),
        (1, Gen.String[Gen.Char["[]:0123456789abc. "], 0, 12]));

    private static readonly Gen<RoutePattern> Route = Gen.OneOf("/", "/...", "/api/...", "/api", "/a/b/...", "/caf%C3%A9/...")
        .Select(RoutePattern.Parse);

    // A path that the route serves: the route's prefix, then raw segments (no "%00": the worker answers 400 for it).
    private static readonly Gen<(RoutePattern Route, string Path)> Match = Gen.Select(Route, Gen.String[Gen.Char[PathChars], 0, 20])
        .Select((route, tail) =>
        {
            var rest = tail.Replace("%00", "%20", StringComparison.Ordinal);
            return (route, route.IsWildcard ? route.Prefix + "/" + rest.TrimStart('/') : route.Text);
        });

    private static readonly Gen<Dictionary<string, string>> Configured = Gen.Select(
        Gen.OneOf("GREETING", "HTTP_ACCEPT", "HTTP_X_HOP", "PATH_INFO", "REQUEST_METHOD", "X_REQUEST_ID", "LANG", "HTTP_COOKIE"),
        FieldValue).Array[0, 4].Select(pairs => pairs.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2));

    private static readonly Gen<(RoutePattern Route, WagiRequest Request)> Request = Gen.Select(
        Match, Gen.String[Gen.Char[PathChars + "?"], 0, 16], Host.Null(),
        Gen.Select(HeaderName, FieldValue).Array[0, 12], Gen.Long[-1, 1L << 40],
        Gen.OneOf("GET", "POST", "PUT", "DELETE", "PATCH", "X-CUSTOM"), Gen.Bool,
        (match, query, host, headers, length, method, https) => (match.Route, new WagiRequest
        {
            Method = method,
            RawPath = match.Path,
            QueryString = query,
            Scheme = https ? "https" : "http",
            Host = host,
            LocalAddress = https ? "::1" : "127.0.0.1",
            LocalPort = 8080,
            RemoteAddress = "192.0.2.7",
            Headers = [.. headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2))],
            ContentLength = length,
            ContentType = headers.Select(h => h.Item2).FirstOrDefault(),
            RequestId = "req-" + length.ToString(CultureInfo.InvariantCulture),
        }));

    private static readonly Gen<(WagiRequest Request, RoutePattern Route, Dictionary<string, string> Configured)> Input =
        Gen.Select(Request, Configured, (request, configured) => (request.Request, request.Route, configured));

    [Fact]
    public void Every_listed_variable_is_present_once_and_every_name_is_unique()
    {
        Input.Sample(input =>
        {
            var env = Build(input);

            Assert.Equal(env.Count, env.Select(v => v.Key).Distinct(StringComparer.Ordinal).Count());
            foreach (var name in Listed)
            {
                Assert.Single(env, v => v.Key == name);
            }

            var values = env.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            Assert.Equal(input.Request.Method, values["REQUEST_METHOD"]);
            Assert.Equal(input.Request.QueryString, values["QUERY_STRING"]);
            Assert.Equal(Math.Max(0, input.Request.ContentLength).ToString(CultureInfo.InvariantCulture), values["CONTENT_LENGTH"]);
            Assert.Equal(input.Route.Text, values["X_MATCHED_ROUTE"]);
            Assert.True(int.TryParse(values["SERVER_PORT"], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535,
                $"SERVER_PORT '{values["SERVER_PORT"]}'");
            var target = input.Request.QueryString.Length == 0 ? input.Request.RawPath : $"{input.Request.RawPath}?{input.Request.QueryString}";
            Assert.EndsWith(target, values["X_FULL_URL"], StringComparison.Ordinal);
            Assert.StartsWith(input.Request.Scheme + "://", values["X_FULL_URL"], StringComparison.Ordinal);
        }, iter: PropertyRuns.Iterations(3_000), print: Show);
    }

    [Fact]
    public void Headers_become_HTTP_variables_as_the_reference_model_says_and_never_replace_a_configured_one()
    {
        Input.Sample(input =>
        {
            var env = Build(input);
            var values = env.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

            foreach (var (name, value) in input.Configured.Where(c => !Listed.Contains(c.Key)))
            {
                Assert.Equal(value, values[name]);
            }

            var headers = input.Request.Headers;
            var connection = string.Join(',', headers.Where(h => h.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value))
                .Split(',').Select(o => Variable(o.Trim(' ', '\t'))).ToHashSet();
            var model = headers
                .Where(h => HttpSyntax.IsToken(h.Key) && !h.Key.Contains('_', StringComparison.Ordinal) && !h.Key.Equals("Proxy", StringComparison.OrdinalIgnoreCase))
                .Select(h => (Name: Variable(h.Key), h.Value))
                .Where(h => !NeverPassed.Contains(h.Name) && !connection.Contains(h.Name) && !input.Configured.ContainsKey("HTTP_" + h.Name))
                .GroupBy(h => h.Name)
                .ToDictionary(g => "HTTP_" + g.Key, g => g.Select(h => h.Value).ToList());
            foreach (var (name, parts) in model)
            {
                // A '_' twin of the same name (X_A beside X-A) may add its value, until such names are dropped.
                var twins = headers.Any(h => h.Key.Contains('_', StringComparison.Ordinal) && "HTTP_" + Variable(h.Key) == name);
                if (twins)
                {
                    Assert.True(values.ContainsKey(name), $"{name} is missing");
                }
                else
                {
                    Assert.Equal(string.Join(", ", parts), values[name]);
                }
            }

            foreach (var (name, value) in env.Where(v => v.Key.StartsWith("HTTP_", StringComparison.Ordinal) && !input.Configured.ContainsKey(v.Key)))
            {
                Assert.DoesNotContain(name["HTTP_".Length..], NeverPassed);
                Assert.True(model.ContainsKey(name) || headers.Any(h => "HTTP_" + Variable(h.Key) == name && (h.Key.Contains('_', StringComparison.Ordinal) || h.Key.Equals("Proxy", StringComparison.OrdinalIgnoreCase))),
                    $"{name}={value} comes from no header the model passes");
            }
        }, iter: PropertyRuns.Iterations(3_000), print: Show);
    }

    [Fact]
    public void No_value_holds_a_NUL_and_only_the_decoded_path_info_may_hold_CR_or_LF()
    {
        // Header values here may hold anything, NUL, CR and LF included: Kestrel refuses those, the builder must
        // still never pass a NUL (it truncates a C string).
        var hostile = Gen.String[Gen.Char["a\0\r\n \t"], 0, 6];
        Gen.Select(Input, Gen.Select(HeaderName, hostile).Array[0, 4]).Sample((input, extra) =>
        {
            var request = input.Request with
            {
                Headers = [.. input.Request.Headers, .. extra.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2))],
            };
            var env = WagiEnvironment.Build(request, input.Route.Match(request.RawPath)!, input.Configured);

            foreach (var (name, value) in env)
            {
                Assert.False(value.Contains('\0', StringComparison.Ordinal), $"{name} holds a NUL");
                Assert.False(name.AsSpan().ContainsAny("\0\r\n="), $"the name '{name}' holds NUL, CR, LF or '='");
                var fromHeader = name.StartsWith("HTTP_", StringComparison.Ordinal) && extra.Any(h => "HTTP_" + Variable(h.Item1) == name);
                if (name is not ("PATH_INFO" or "PATH_TRANSLATED") && !fromHeader)
                {
                    Assert.False(value.AsSpan().ContainsAny('\r', '\n'), $"{name} holds CR or LF");
                }
            }
        }, iter: PropertyRuns.Iterations(3_000));
    }

    [Fact]
    public void Argv_is_the_raw_path_then_the_raw_query_split_on_ampersands()
    {
        Input.Sample(input =>
        {
            var env = Build(input);
            var argv = WagiArgv.Build(input.Request, env);

            Assert.Equal(input.Request.RawPath, argv[0]);
            if (input.Request.QueryString.Length == 0)
            {
                Assert.Single(argv);
            }
            else
            {
                Assert.Equal(input.Request.QueryString, string.Join('&', argv[1..]));
                Assert.Equal(input.Request.QueryString.Count(c => c == '&') + 2, argv.Length);
            }
        }, iter: PropertyRuns.Iterations(3_000), print: Show);
    }

    [Fact]
    public void An_argv_template_expands_like_plain_substitution_then_a_split_on_whitespace()
    {
        var piece = Gen.Frequency(
            (3, Gen.OneOf("${SCRIPT_NAME}", "${ARGS}", "${PATH_INFO}", "${GREETING}", "${UNKNOWN}", "${QUERY_STRING}")),
            (2, Gen.String[Gen.Char["ab -$/{}"], 0, 5]));
        Gen.Select(Input, piece.Array[1, 6]).Sample((input, pieces) =>
        {
            var template = string.Concat(pieces);
            var env = Build(input);
            var values = env.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

            var argv = WagiArgv.Build(input.Request, env, template);

            if (string.IsNullOrWhiteSpace(template))
            {
                Assert.Equal(WagiArgv.Build(input.Request, env), argv);
            }
            else if (WagiArgv.TryValidateTemplate(template, out _))
            {
                var expanded = System.Text.RegularExpressions.Regex.Replace(template, @"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", m =>
                    m.Groups[1].Value == "ARGS" ? input.Request.QueryString.Replace('&', ' ') : values.GetValueOrDefault(m.Groups[1].Value, ""));
                Assert.Equal(expanded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), argv);
            }
            else
            {
                Assert.All(argv, a => Assert.False(string.IsNullOrWhiteSpace(a)));
            }
        }, iter: PropertyRuns.Iterations(3_000));
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Build((WagiRequest Request, RoutePattern Route, Dictionary<string, string> Configured) input) =>
        WagiEnvironment.Build(input.Request, input.Route.Match(input.Request.RawPath)!, input.Configured);

    private static string Variable(string header) => header.ToUpperInvariant().Replace('-', '_');

    private static string Show((WagiRequest Request, RoutePattern Route, Dictionary<string, string> Configured) input) =>
        $"{input.Request.Method} {input.Request.RawPath}?{input.Request.QueryString} route {input.Route} host {input.Request.Host ?? "(none)"}; " +
        $"headers [{string.Join(", ", input.Request.Headers.Select(h => $"{h.Key}: {h.Value}"))}]; " +
        $"configured [{string.Join(", ", input.Configured.Select(c => $"{c.Key}={c.Value}"))}]";
}
