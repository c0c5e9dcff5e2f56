using System.Net.Http.Headers;

namespace Functions.Oci;

/// <summary>A registry's <c>WWW-Authenticate</c> answer: <c>Bearer realm=…,service=…,scope=…</c> or <c>Basic realm=…</c>.</summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    public static AuthChallenge? From(HttpResponseHeaders headers)
    {
        AuthChallenge? basic = null;
        foreach (var header in headers.WwwAuthenticate)
        {
            var challenge = new AuthChallenge(header.Scheme, ParseParameters(header.Parameter));
            if (challenge.IsBearer)
            {
                return challenge;
            }

            basic ??= challenge.IsBasic ? challenge : null;
        }

        return basic;
    }

    // key="value" pairs separated by commas; values may hold commas inside quotes (scope="repository:a:pull,push").
    internal static Dictionary<string, string> ParseParameters(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var span = text ?? "";
        var i = 0;
        while (i < span.Length)
        {
            while (i < span.Length && (span[i] == ',' || char.IsWhiteSpace(span[i])))
            {
                i++;
            }

            var eq = span.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var key = span[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < span.Length && span[i] == '"')
            {
                var buffer = new System.Text.StringBuilder();
                i++;
                while (i < span.Length && span[i] != '"')
                {
                    if (span[i] == '\\' && i + 1 < span.Length)
                    {
                        i++;
                    }

                    buffer.Append(span[i++]);
                }

                i++;
                value = buffer.ToString();
            }
            else
            {
                var end = span.IndexOf(',', i);
                end = end < 0 ? span.Length : end;
                value = span[i..end].Trim();
                i = end;
            }

            result[key] = value;
        }

        return result;
    }
}
