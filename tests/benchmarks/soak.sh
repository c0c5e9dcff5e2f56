#!/usr/bin/env bash
# Soak (docs/performance.md, "Soak"; not in CI): one worker serving a hello route at 80 % of the maximum throughput
# measured just before, for 10 minutes, while the app is redeployed (a new release through the control plane API)
# every 30 s. Starts its own control plane and worker from the Release build, on a database and RabbitMQ virtual
# host of its own, and stops everything at the end. Prints a markdown report and PASS/FAIL lines; exit 5 on a FAIL.
#
#   tests/benchmarks/soak.sh                        the full soak (about 11 minutes)
#   tests/benchmarks/soak.sh --duration 60s         a short run: checks that the script works
#   options: --duration 10m|600s|600   --deploy-every 30   --fraction 0.8   --rate N (skip the maximum, use N req/s)
#            --module hello-wat (a fixture)   --sample-every 5   --no-build   --out DIR (default .local/bench/soak-<time>)
#            --worker-env NAME=VALUE: an environment variable for the worker only (repeatable), e.g.
#               DOTNET_GCDynamicAdaptationMode=0 or DOTNET_gcServer=0 to compare garbage collector settings
#            --connections 32: the soak's connections, as for the maximum (wrk -c32); like wrk2, a fixed set of
#               connections paced at the rate, so a stall queues requests in the client (counted from when they were
#               due) instead of opening more connections than the route's maxConcurrency (64) admits
#
# Checks: non-2xx answers (connection errors and timeouts count too), split into those a deploy explains (due
# between a PUT and the worker serving that generation, + 2 s) and the rest: both should be 0; the worker's RSS,
# sampled every few seconds, stays within 10 % of its level just after the warm-up (a quarter of the run, at most 60 s);
# the load generator kept the rate. Needs: dotnet, wrk, curl, jq, psql; local Postgres and RabbitMQ
# (deploy/local/services.sh). Ports: BENCH_CONTROL_PLANE_PORT (5190), BENCH_WORKER_PORT (8191; its management port + 1000).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_NAME=soak.sh
# shellcheck source=common.sh
. "$ROOT/tests/benchmarks/common.sh"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

DURATION=600 DEPLOY_EVERY=30 FRACTION=0.8 RATE="" MODULE=hello-wat SAMPLE_EVERY=5 BUILD=1 OUT="" CONNECTIONS=32
WORKER_ENV=()
seconds_of() { # 10m | 90s | 90 → seconds
  case $1 in
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}
while (($#)); do
  case $1 in
    --duration) DURATION=$(seconds_of "${2:?--duration needs a time, e.g. 10m or 60s}"); shift ;;
    --deploy-every) DEPLOY_EVERY=$(seconds_of "${2:?--deploy-every needs seconds}"); shift ;;
    --fraction) FRACTION=${2:?--fraction needs a number, e.g. 0.8}; shift ;;
    --rate) RATE=${2:?--rate needs requests per second}; shift ;;
    --module) MODULE=${2:?--module needs a fixture name, e.g. hello-c}; shift ;;
    --connections) CONNECTIONS=${2:?--connections needs a number}; shift ;;
    --sample-every) SAMPLE_EVERY=$(seconds_of "${2:?--sample-every needs seconds}"); shift ;;
    --no-build) BUILD=0 ;;
    --worker-env) [[ "${2:-}" == *=* ]] || die "--worker-env needs NAME=VALUE"; WORKER_ENV+=("$2"); shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 20 ]] || die "--duration must be at least 20 s"

CP_PORT=${BENCH_CONTROL_PLANE_PORT:-5190}
WORKER_PORT=${BENCH_WORKER_PORT:-8191}
DB=functions_soak
VHOST=functions-soak
BENCH_DLL="$ROOT/tests/benchmarks/Functions.HttpBench/bin/Release/net10.0/Functions.HttpBench.dll"
OUT=$(realpath -m "${OUT:-$ROOT/.local/bench/soak-$(date +%Y%m%d-%H%M%S)}")
mkdir -p "$OUT/logs"
REPORT="$OUT/report.md"

for tool in dotnet wrk curl jq psql; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install wrk curl jq postgresql-client; .NET SDK from global.json)"
done
for port in "$CP_PORT" "$WORKER_PORT"; do
  port_open "$port" && die "port $port is in use; choose others with BENCH_CONTROL_PLANE_PORT / BENCH_WORKER_PORT"
done

# --- cleanup: everything this script starts is stopped by pid, whatever happens --------------------------------
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  bench_teardown
  ((status == 0 || status == 5)) || say "failed (status $status); logs in $OUT/logs"
  exit "$status"
}
trap cleanup EXIT
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

# --- services, database, virtual host, build ------------------------------------------------------------------
bench_services

"$ROOT/tests/fixtures/build.sh" >"$OUT/logs/fixtures.log" 2>&1 || die "fixtures did not build: $OUT/logs/fixtures.log"
[[ -f "$FIXTURES/$MODULE.wasm" ]] || die "no fixture $MODULE.wasm in $FIXTURES"
bench_build

ADMIN_KEY="soak-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WORKER_KEY="soak-worker-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CP="http://127.0.0.1:$CP_PORT"
W="http://127.0.0.1:$WORKER_PORT"
WM="$(management "$WORKER_PORT")"   # the worker's /readyz and /metrics
say "starting the control plane on $CP and a worker on $W"
host Functions.ControlPlane control-plane "$CP_PORT" ConnectionStrings__Postgres="$POSTGRES" \
  ConnectionStrings__RabbitMq="$RABBITMQ" FUNCTIONS_ADMIN_KEY="$ADMIN_KEY" FUNCTIONS_WORKER_KEY="$WORKER_KEY"
wait_http "$CP/readyz" 90
host Functions.Worker worker "$WORKER_PORT" ConnectionStrings__RabbitMq="$RABBITMQ" FUNCTIONS_WORKER_KEY="$WORKER_KEY" \
  Worker__ControlPlaneUrl="$CP" Worker__NodeId="soak-w1" Worker__CacheDirectory="$OUT/worker-cache" \
  Worker__ManagementUrls="$WM" "${WORKER_ENV[@]}"
WORKER_PID=${PIDS[-1]}
wait_http "$WM/readyz" 90

# --- the app: one route on the module --------------------------------------------------------------------------
APP=soak ROUTE=/soak/hello
DIGEST=$(curl -sSf -X POST -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/wasm' \
  --data-binary "@$FIXTURES/$MODULE.wasm" "$CP/api/v1/modules" | jq -r .digest)
GENERATION=$(curl -sSf -X PUT -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
  -d "{\"routes\": [{\"route\": \"$ROUTE\", \"module\": \"$DIGEST\", \"environment\": {\"SOAK_RELEASE\": \"0\"}}]}" \
  "$CP/api/v1/apps/$APP" | jq -r .generation)
deadline=$((SECONDS + 60))
until [[ "$(curl -sf "$WM/readyz" | sed -n 's/^ready: generation \([0-9]*\).*/\1/p')" -ge "$GENERATION" ]] 2>/dev/null; do
  ((SECONDS < deadline)) || die "the worker did not reach generation $GENERATION (logs in $OUT/logs)"
  sleep 0.1
done
status=$(curl -s -o "$OUT/hello.body" -w '%{http_code}' "$W$ROUTE")
[[ "$status" == 200 ]] || die "$W$ROUTE answered $status: $(head -c 300 "$OUT/hello.body")"

: >"$REPORT"
report "## Soak of $(date -u '+%Y-%m-%d %H:%M UTC') — commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $MODULE" "" \
  "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; .NET $(dotnet --version). Worker environment: ${WORKER_ENV[*]:-(defaults)}." ""

# --- maximum throughput, then the soak at a fraction of it -----------------------------------------------------
if [[ -z "$RATE" ]]; then
  say "maximum: wrk -t2 -c32 on $ROUTE (3 s warm-up, 10 s measured)"
  wrk -t2 -c"$CONNECTIONS" -d3s "$W$ROUTE" >/dev/null
  wrk -t2 -c"$CONNECTIONS" -d10s --latency "$W$ROUTE" >"$OUT/wrk-max.txt"
  MAX=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-max.txt")
  ERRORS=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$OUT/wrk-max.txt")
  RATE=$(awk -v m="$MAX" -v f="$FRACTION" 'BEGIN {printf "%.0f", m * f}')
  report "Maximum: $MAX req/s (wrk -t2 -c$CONNECTIONS -d10s, $ERRORS errors); the soak runs at $FRACTION × that = **$RATE req/s**." ""
else
  report "Rate given: **$RATE req/s** (no maximum measured)." ""
fi

say "soak: $RATE req/s for $DURATION s, a redeploy every $DEPLOY_EVERY s (progress in $OUT/logs/soak.log)"
verdict=0
timeout $((DURATION + 300)) dotnet "$BENCH_DLL" soak --url "$W$ROUTE" --rate "$RATE" --seconds "$DURATION" \
  --control-plane "$CP" --bearer "$ADMIN_KEY" --worker "$WM" --worker-pid "$WORKER_PID" --app "$APP" --route "$ROUTE" \
  --module "$DIGEST" --deploy-every-seconds "$DEPLOY_EVERY" --sample-every-seconds "$SAMPLE_EVERY" \
  --connections "$CONNECTIONS" >"$OUT/soak.md" 2>"$OUT/logs/soak.log" || verdict=$?
cat "$OUT/soak.md" >>"$REPORT"
cat "$OUT/soak.md"
report "" "Worker and control plane logs: $OUT/logs. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
((verdict == 0 || verdict == 5)) || die "the soak command failed (status $verdict): $OUT/logs/soak.log"
say "done: $REPORT"
exit "$verdict"
