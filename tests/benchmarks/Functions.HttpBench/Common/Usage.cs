namespace Functions.HttpBench.Common;

internal static class Usage
{
    public const string Text = """
        usage: httpbench <command> [--option value]...
          baseline --urls URL --manifest FILE
              Plain Kestrel: answers each path listed in FILE (lines: path<TAB>content-type<TAB>body-file) with
              exactly those bytes, the content type and an X-Request-Id header like the worker's; other paths 404.
          rate --url URL --rate N --seconds S [--warmup-seconds 2] [--bearer KEY] [--label TEXT]
              Open-loop load at a fixed rate (wrk2-style: latency counts from when each request was due).
          deploy --control-plane URL --bearer KEY --workers URL,URL,... --module FILE --mode compiled|fresh
                 [--count 10] [--app NAME]
              Time from PUT /api/v1/apps/{name} returning to every worker serving the new release.
          upload --control-plane URL --bearer KEY --module FILE [--mib 10] [--count 10]
              Time POST /api/v1/modules end to end for fresh modules padded with a custom section.
          flood --spin-url URL [--hello-url URL --hello-rate 100] [--requests 100] [--quiet-seconds 3]
              Sends --requests requests at once to the spin route while pacing requests to the hello route.
        """;
}

/// <summary>A command line that cannot be run; the message says what to fix.</summary>
internal sealed class UsageException(string message) : Exception(message);
