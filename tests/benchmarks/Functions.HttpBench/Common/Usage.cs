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
          soak --url URL --rate N --seconds S --control-plane URL --bearer KEY --worker URL --worker-pid PID
               --app NAME --route ROUTE --module DIGEST [--deploy-every-seconds 30] [--sample-every-seconds 5]
               [--warmup-seconds min(60, S/4)] [--rss-tolerance 0.10] [--connections 32]
              Fixed-rate GETs for S seconds while the app is redeployed (a new release) every few seconds and the
              worker's RSS sampled; non-2xx split by whether a deploy explains them; PASS/FAIL lines (exit 5: a FAIL).
          deploy --control-plane URL --bearer KEY --workers URL,URL,... --module FILE --mode compiled|fresh
                 [--count 10] [--app NAME]
              Time from PUT /api/v1/apps/{name} returning to every worker serving the new release.
          upload --control-plane URL --bearer KEY --module FILE [--mib 10] [--count 10]
              Time POST /api/v1/modules end to end for fresh modules padded with a custom section.
          flood --spin-url URL [--hello-url URL --hello-rate 100] [--requests 100] [--quiet-seconds 3]
              Sends --requests requests at once to the spin route while pacing requests to the hello route.

        density commands (tests/benchmarks/density.sh; files: digests one a line, routes as app<TAB>route<TAB>module):
          density-upload --control-plane URL --bearer KEY --module FILE --count N --digests-out FILE [--parallel 4]
              Uploads N distinct copies of the module (a custom section holding the index) and writes their digests.
          density-deploy --control-plane URL --bearer KEY --digests FILE --routes-out FILE [--apps 10] [--routes N]
                 [--prefix density] [--workers-count 2] [--timeout-seconds 120] [--give-up-seconds 20]
              PUTs the apps; time from the first PUT until every app's rollout shows every worker applied (exit 3: not).
          density-check --workers URL,URL --routes FILE [--sample N] [--parallel 8]
              GETs each route once on each worker and counts the 200s (exit 4 when any was not 200).
          density-idle --workers URL,URL --routes FILE [--sample 100] [--offset 0] [--sweep 0|1] [--idle-wait-seconds 6]
              First request to idle functions, one at a time: p50/p99 (--sweep 1: after requesting every other route).
          density-redeploy --control-plane URL --bearer KEY --workers URL,URL --digests FILE --routes FILE [--app NAME] [--count 10]
              One app redeployed with one route on another module: time from the PUT to served by every worker.
          density-broken --control-plane URL --bearer KEY --workers URL,URL --digests FILE --start-trap FILE
                 --bad-import FILE --big-memory FILE [--memory-mb 1] [--timeout-seconds 30]
              A broken app three ways; another app's deploy right after: time until served by every worker.
        """;
}

/// <summary>A command line that cannot be run; the message says what to fix.</summary>
internal sealed class UsageException(string message) : Exception(message);
