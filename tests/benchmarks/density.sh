#!/usr/bin/env bash
# Density of the platform (issue 11, "Benchmarks"): thousands of functions on two workers, end to end on loopback.
# Starts its own control plane and two workers from the Release build, on a database and RabbitMQ virtual host of
# its own, measures, prints a markdown report (also in OUT/report.md, raw outputs beside it), and stops everything.
#
#   tests/benchmarks/density.sh               the full run: 1,000 modules (about 10-15 minutes on 2 cores)
#   tests/benchmarks/density.sh --quick       50 modules, short runs: checks that the script works (about 4 minutes)
#   options: --modules N (1000; --quick 50)   --only deploy,idle,hot,redeploy,broken,routes   --no-build
#            --worker-env 'Runtime__X=Y' (repeatable; added to both workers' environment after the defaults below)
#            --idle-wait SECONDS (6: how long "idle" waits; keep it above the workers' IdleShrinkAfter)
#            --out DIR (default .local/bench/density-<time>)
#
# Always: N distinct copies of the C hello (a custom section holding the index) uploaded, then deployed as N routes in
# 10 apps (/density-<a>/f<j>), timed from the first PUT until both workers report every app applied (rollout).
#   deploy    every route answers 200 on both workers; each worker's RSS (VmRSS) after converging, after every
#             function answered, and once all are idle. Goals (N = 1,000): converged < 60 s, RSS < 1 GiB
#   idle      first request to idle functions (scaled to zero), one at a time, alternating workers: p50/p99; then
#             again after requesting every other route once (a module cache bounded in bytes drops the sample's
#             modules to disk; give it a bound below the N modules' size with --worker-env). Goals p50 < 2 ms,
#             p99 < 10 ms (in memory), p99 < 25 ms (from disk)
#   hot       hello-wat and hello-c on worker 1 vs plain Kestrel returning the same bytes (HttpBench baseline), wrk
#             -t2 -c32, interleaved, medians, with the N functions deployed
#   redeploy  one of the 10 apps PUT again with one route on another module: from the PUT to served by both. < 500 ms
#   broken    a start section that traps, an unknown import, a minimum memory over the route's memoryMb: the
#             answers, and another app's deploy right after: time until both workers serve it
#   routes    10 x N routes over the N modules (10 apps of N routes, more apps past 1,000 routes each): converged,
#             a sample answering, RSS. Goal (N = 1,000): < 1.5 GiB per worker
# Workers start with Runtime__IdleShrinkAfter=00:00:02 (functions go idle fast). Needs: dotnet, wrk, curl, jq, psql,
# wat2wasm (wabt); local Postgres and RabbitMQ (deploy/local/services.sh; started and stopped again when not already
# running). Ports: DENSITY_CONTROL_PLANE_PORT (5080), DENSITY_WORKER_PORTS ("8080 8081"), DENSITY_BASELINE_PORT (8089).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_NAME=density.sh
# shellcheck source=common.sh
. "$ROOT/tests/benchmarks/common.sh"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

QUICK=0 BUILD=1 ONLY="deploy,idle,hot,redeploy,broken,routes" OUT="" MODULES="" IDLE_WAIT=6
WORKER_ENV=(Runtime__IdleShrinkAfter=00:00:02)
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --only) ONLY=${2:?--only needs a list, e.g. deploy,idle}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --modules) MODULES=${2:?--modules needs a number}; shift ;;
    --worker-env) [[ ${2:-} == *=* ]] || { echo "density.sh: --worker-env needs NAME=value" >&2; exit 2; }; WORKER_ENV+=("$2"); shift ;;
    --idle-wait) IDLE_WAIT=${2:?--idle-wait needs seconds}; shift ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "density.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
for phase in ${ONLY//,/ }; do
  [[ ",deploy,idle,hot,redeploy,broken,routes," == *",$phase,"* ]] || { echo "density.sh: unknown phase '$phase'" >&2; exit 2; }
done

if ((QUICK)); then
  MODULES=${MODULES:-50} IDLE_SAMPLE=20 REDEPLOYS=3 REPEATS=1 WRK_SECONDS=3 CONVERGE_TIMEOUT=60 SERVED_TIMEOUT=15
else
  MODULES=${MODULES:-1000} IDLE_SAMPLE=200 REDEPLOYS=10 REPEATS=3 WRK_SECONDS=10 CONVERGE_TIMEOUT=120 SERVED_TIMEOUT=30
fi
[[ $MODULES =~ ^[1-9][0-9]*$ ]] || { echo "density.sh: --modules must be a positive number" >&2; exit 2; }
APPS=10
ROUTES_TOTAL=$((10 * MODULES))
ROUTES_APPS=$(((ROUTES_TOTAL + 999) / 1000))
((ROUTES_APPS < APPS)) && ROUTES_APPS=$APPS
((IDLE_SAMPLE > MODULES / 2)) && IDLE_SAMPLE=$((MODULES / 2 > 0 ? MODULES / 2 : 1))

CP_PORT=${DENSITY_CONTROL_PLANE_PORT:-5080}
read -r -a WORKER_PORTS <<<"${DENSITY_WORKER_PORTS:-8080 8081}"
BASELINE_PORT=${DENSITY_BASELINE_PORT:-8089}
DB=functions_density_bench
VHOST=functions-density-bench
BENCH_DLL="$ROOT/tests/benchmarks/Functions.HttpBench/bin/Release/net10.0/Functions.HttpBench.dll"
OUT=$(realpath -m "${OUT:-$ROOT/.local/bench/density-$(date +%Y%m%d-%H%M%S)}")
mkdir -p "$OUT/logs" "$OUT/wrk" "$OUT/bodies" "$OUT/modules"
REPORT="$OUT/report.md"

for tool in dotnet wrk curl jq psql wat2wasm; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install wrk curl jq postgresql-client wabt; .NET SDK from global.json)"
done
((${#WORKER_PORTS[@]} == 2)) || die "DENSITY_WORKER_PORTS must name two ports"
for port in "$CP_PORT" "${WORKER_PORTS[@]}" "$BASELINE_PORT" $(for p in "${WORKER_PORTS[@]}"; do echo $((p + 1000)); done); do
  port_open "$port" && die "port $port is in use; choose others with DENSITY_CONTROL_PLANE_PORT / DENSITY_WORKER_PORTS / DENSITY_BASELINE_PORT"
done

# --- cleanup: everything this script starts is stopped by pid, whatever happens --------------------------------
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  bench_teardown
  rm -rf "$OUT"/worker-*/ 2>/dev/null || true # the workers' module caches (N copies of the module)
  ((status == 0)) || say "failed (status $status); logs in $OUT/logs"
  exit "$status"
}
trap cleanup EXIT
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

# --- services, database, virtual host, build, modules ---------------------------------------------------------
bench_services

"$ROOT/tests/fixtures/build.sh" >"$OUT/logs/fixtures.log" 2>&1 || die "fixtures did not build: $OUT/logs/fixtures.log"
for m in starttrap bigmemory; do
  wat2wasm "$ROOT/tests/benchmarks/density/$m.wat" -o "$OUT/modules/$m.wasm"
done
bench_build

ADMIN_KEY="bench-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WORKER_KEY="bench-worker-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CP="http://127.0.0.1:$CP_PORT"
WORKERS=() MANAGEMENT=()
for port in "${WORKER_PORTS[@]}"; do WORKERS+=("http://127.0.0.1:$port") MANAGEMENT+=("$(management "$port")"); done
W1=${WORKERS[0]} M1=${MANAGEMENT[0]}
WORKERS_CSV=$(IFS=,; echo "${WORKERS[*]}")
MANAGEMENT_CSV=$(IFS=,; echo "${MANAGEMENT[*]}")

say "starting the control plane on $CP and workers on ${WORKERS[*]} (worker env: ${WORKER_ENV[*]})"
host Functions.ControlPlane control-plane "$CP_PORT" ConnectionStrings__Postgres="$POSTGRES" \
  ConnectionStrings__RabbitMq="$RABBITMQ" FUNCTIONS_ADMIN_KEY="$ADMIN_KEY" FUNCTIONS_WORKER_KEY="$WORKER_KEY"
wait_http "$CP/readyz" 90
for i in 0 1; do
  host Functions.Worker "worker-$((i + 1))" "${WORKER_PORTS[i]}" ConnectionStrings__RabbitMq="$RABBITMQ" \
    FUNCTIONS_WORKER_KEY="$WORKER_KEY" Worker__ControlPlaneUrl="$CP" Worker__NodeId="density-w$((i + 1))" \
    Worker__CacheDirectory="$OUT/worker-$((i + 1))" Worker__ManagementUrls="${MANAGEMENT[i]}" "${WORKER_ENV[@]}"
done
WORKER_PIDS=("${PIDS[1]}" "${PIDS[2]}")
for m in "${MANAGEMENT[@]}"; do wait_http "$m/readyz" 90; done

# --- helpers ---------------------------------------------------------------------------------------------------
# measure NAME COMMAND ARGS...: a HttpBench command; its markdown goes to the report (and OUT/NAME.md), its progress
# to the terminal and logs/NAME.log. Never fails the script: RC holds the command's status (0 = all as expected).
measure() {
  local name=$1
  shift
  RC=0
  timeout 900 dotnet "$BENCH_DLL" "$@" >"$OUT/$name.md" 2> >(tee "$OUT/logs/$name.log" >&2) || RC=$?
  tee -a "$REPORT" <"$OUT/$name.md"
  case $RC in
    0 | 3 | 4 | 5) ;;
    124) report "" "**\`$1\` did not finish within 900 s** (logs/$name.log)." ;;
    *) report "" "**\`$1\` failed (status $RC):** \`$(tail -n 2 "$OUT/logs/$name.log" | tr '\n|' ' /' | cut -c1-400)\`" ;;
  esac
}
# rss_add LABEL: each worker's RSS now, as a row appended to RSS_ROWS; RSS_MAX keeps the largest seen.
mib() { awk '{printf "%.0f", $1 / 1024}' <<<"$1"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
RSS_MAX=0 RSS_ROWS=()
rss_add() {
  local cells=() peaks=() pid kb
  for pid in "${WORKER_PIDS[@]}"; do
    kb=$(status_kb "$pid" VmRSS)
    kb=${kb:-0}
    ((kb > RSS_MAX)) && RSS_MAX=$kb
    cells+=("$(mib "$kb") MiB")
    peaks+=("$(mib "$(status_kb "$pid" VmHWM)")")
  done
  RSS_ROWS+=("| $1 | **${cells[0]}** | **${cells[1]}** | ${peaks[0]}, ${peaks[1]} MiB |")
}
RSS_HEADER=$'| when | worker 1 RSS | worker 2 RSS | peak RSS (VmHWM) w1, w2 |\n|---|---|---|---|'
goal_rss() { # goal_rss MIB CONVERGED: the largest RSS since the last reset against MIB (meaningless when not converged)
  awk -v kb="$RSS_MAX" -v goal="$1" -v n="$MODULES" -v converged="$2" 'BEGIN {
    printf "Largest worker RSS: %.0f MiB; goal (for 1,000 modules; this run %d) < %d MiB: **%s**.\n", kb / 1024, n, goal,
      !converged ? "not judged: the workers did not apply every app" : (kb / 1024 < goal) ? "met" : "missed" }'
}
PHASE_MARK=""
phase_begin() { PHASE_MARK=$(cpu_busy); }
phase_end() { # how busy the machine was (everything, this run included) during the phase
  local b0 a0 b1 a1
  read -r b0 a0 <<<"$PHASE_MARK"
  read -r b1 a1 <<<"$(cpu_busy)"
  awk -v busy=$((b1 - b0)) -v all=$((a1 - a0)) -v n="$(nproc)" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN { printf "CPU busy during this phase: %.0f%% of the %d cores (this run and everything else); load average at its end %s.\n",
      all ? 100 * busy / all : 0, n, load }'
}
metrics() { curl -sS --max-time 10 "$1/metrics" >"$OUT/$2" 2>/dev/null || true; }

COMMIT=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
DIRTY=$( (git status --porcelain -- src 2>/dev/null || true) | wc -l)
: >"$REPORT"
report "## Density run of $(date -u '+%Y-%m-%d %H:%M UTC') — commit $COMMIT$( ((DIRTY)) && echo " + $DIRTY uncommitted file(s) in src/")$( ((QUICK)) && echo " (--quick)")" ""
report "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/Mem:/{print $2}') GB;" \
  ".NET $(dotnet --version); two workers started with \`${WORKER_ENV[*]}\`. Servers and load generators share the cores." ""

# --- N modules on N routes in 10 apps (every phase runs with them deployed) -------------------------------------
report "### $MODULES distinct modules on $MODULES routes in $APPS apps" ""
phase_begin
say "uploading $MODULES distinct copies of hello-c"
measure upload density-upload --control-plane "$CP" --bearer "$ADMIN_KEY" --module "$FIXTURES/hello-c.wasm" \
  --count "$MODULES" --digests-out "$OUT/digests.txt"
((RC == 0)) || die "the uploads failed: nothing to measure (logs/upload.log)"
report ""
say "deploying $MODULES routes in $APPS apps"
measure deploy density-deploy --control-plane "$CP" --bearer "$ADMIN_KEY" --digests "$OUT/digests.txt" \
  --apps "$APPS" --routes "$MODULES" --routes-out "$OUT/routes.txt" --timeout-seconds "$CONVERGE_TIMEOUT" --goal-seconds 60 \
  --label "$MODULES routes in $APPS apps"
CONVERGED=$((RC == 0))
rss_add "after converging (or giving up)"
metrics "$M1" metrics-w1-after-deploy.txt
if wants deploy; then
  report "" "Every route on both workers (goal: all answer 200):" ""
  measure check density-check --workers "$WORKERS_CSV" --routes "$OUT/routes.txt"
  rss_add "after every function answered once"
  say "waiting $IDLE_WAIT s for every function to go idle"
  sleep "$IDLE_WAIT"
  rss_add "idle ($IDLE_WAIT s later)"
  report "" "$RSS_HEADER" "${RSS_ROWS[@]}" "" "$(goal_rss 1024 "$CONVERGED")"
fi
report "" "$(phase_end)" ""

# Later phases run with the N functions deployed; when they did not converge, each phase says so.
not_converged_note() {
  ((CONVERGED)) || report "**The $MODULES functions did not converge on both workers** (above): this phase measures a partly deployed platform." ""
}

# --- first request to idle functions ---------------------------------------------------------------------------
if wants idle; then
  report "### First request to an idle function ($IDLE_SAMPLE functions × 2 workers, one request at a time)" "" \
    "Goals: in memory p50 < 2 ms, p99 < 10 ms; dropped to disk p99 < 25 ms." ""
  not_converged_note
  phase_begin
  say "idle: functions idle with their module in memory"
  measure idle-memory density-idle --workers "$WORKERS_CSV" --management "$MANAGEMENT_CSV" --routes "$OUT/routes.txt" --sample "$IDLE_SAMPLE" \
    --idle-wait-seconds "$IDLE_WAIT" --label "idle, module in memory"
  say "idle: functions idle after every other route was requested once"
  measure idle-disk density-idle --workers "$WORKERS_CSV" --management "$MANAGEMENT_CSV" --routes "$OUT/routes.txt" --sample "$IDLE_SAMPLE" --offset 1 \
    --sweep 1 --idle-wait-seconds "$IDLE_WAIT" --header 0 --label "idle, after every other route was requested once (module dropped to disk¹)"
  metrics "$M1" metrics-w1-after-idle.txt
  report "" "¹ Only when the workers bound their loaded modules' memory below what the $MODULES modules take (set it with" \
    "--worker-env); otherwise the third row measures the same thing as the first. Other functions: the sample from offset 1." \
    "Raw: idle-*.md, logs/idle-*.log, metrics-w1-after-idle.txt." "$(phase_end)" ""
fi

# --- hot path: one worker vs plain Kestrel, with the N functions deployed ------------------------------------------
if wants hot; then
  report "### Hot path: hello on worker 1 vs plain Kestrel, $MODULES functions deployed (wrk -t2 -c32 -d${WRK_SECONDS}s; median of $REPEATS)" ""
  not_converged_note
  phase_begin
  HOT_MODULES=(hello-wat hello-c)
  routes="[]"
  for m in "${HOT_MODULES[@]}"; do
    digest=$(curl -sSf -X POST -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/wasm' \
      --data-binary "@$FIXTURES/$m.wasm" "$CP/api/v1/modules" | jq -r .digest)
    routes=$(jq -c --arg r "/hot/$m" --arg d "$digest" '. + [{route: $r, module: $d}]' <<<"$routes")
  done
  curl -sSf -X PUT -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' -d "{\"routes\": $routes}" \
    "$CP/api/v1/apps/density-hot" >"$OUT/logs/hot-deploy.json"
  hot_ok=1
  for m in "${HOT_MODULES[@]}"; do
    deadline=$((SECONDS + SERVED_TIMEOUT))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$W1/hot/$m") == 200 ]]; do
      ((SECONDS < deadline)) || { hot_ok=0; break; }
      sleep 0.2
    done
  done
  if ((hot_ok)); then
    : >"$OUT/baseline.tsv"
    for m in "${HOT_MODULES[@]}"; do
      # wrk sends only a Host header: capture the body of exactly that request (no curl User-Agent or Accept).
      curl -sS -H 'User-Agent:' -H 'Accept:' -D "$OUT/bodies/$m.headers" -o "$OUT/bodies/$m.body" "$W1/hot/$m"
      type=$(sed -n 's/^[Cc]ontent-[Tt]ype: *\(.*\)\r$/\1/p' "$OUT/bodies/$m.headers")
      printf '%s\t%s\t%s\n' "/hot/$m" "$type" "$OUT/bodies/$m.body" >>"$OUT/baseline.tsv"
    done
    start baseline "$ROOT" dotnet "$BENCH_DLL" baseline --urls "http://127.0.0.1:$BASELINE_PORT" --manifest "$OUT/baseline.tsv"
    BASE_PID=${PIDS[-1]}
    BASE="http://127.0.0.1:$BASELINE_PORT"
    wait_http "$BASE/hot/hello-wat" 30
    for m in "${HOT_MODULES[@]}"; do
      curl -sS -H 'User-Agent:' -H 'Accept:' -o "$OUT/bodies/$m.baseline" "$BASE/hot/$m"
      cmp -s "$OUT/bodies/$m.body" "$OUT/bodies/$m.baseline" || die "the baseline's body for $m differs from the worker's"
    done
    say "hot: warming up (3 s each)"
    for m in "${HOT_MODULES[@]}"; do
      wrk -t2 -c32 -d3s "$W1/hot/$m" >/dev/null
      wrk -t2 -c32 -d3s "$BASE/hot/$m" >/dev/null
    done
    for r in $(seq "$REPEATS"); do
      for m in "${HOT_MODULES[@]}"; do
        for target in worker baseline; do
          say "hot: repeat $r/$REPEATS, $m on the $target"
          url=$([[ $target == worker ]] && echo "$W1" || echo "$BASE")/hot/$m
          pid=$([[ $target == worker ]] && echo "${WORKER_PIDS[0]}" || echo "$BASE_PID")
          ticks=$(proc_ticks "$pid")
          wrk -t2 -c32 -d"${WRK_SECONDS}s" --latency "$url" >"$OUT/wrk/$m-$target-$r.txt"
          awk -v t=$(($(proc_ticks "$pid") - ticks)) -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.1f\n", t / hz * 1e6 / $1}' \
            "$OUT/wrk/$m-$target-$r.txt" >"$OUT/wrk/$m-$target-$r.cpu"
        done
      done
    done
    kill -TERM "$BASE_PID" 2>/dev/null || true
    report "| module | worker req/s | p50 ms | p99 ms | Kestrel req/s | p50 ms | p99 ms | worker / Kestrel | CPU µs/request worker, Kestrel | errors |" \
      "|---|---|---|---|---|---|---|---|---|---|"
    for m in "${HOT_MODULES[@]}"; do
      declare -A col=()
      errors=0
      for target in worker baseline; do
        rps=() p50=() p99=() cpu=()
        for r in $(seq "$REPEATS"); do
          f="$OUT/wrk/$m-$target-$r.txt"
          rps+=("$(awk '/^Requests\/sec:/ {print $2}' "$f")")
          p50+=("$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")")
          p99+=("$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")")
          cpu+=("$(cat "$OUT/wrk/$m-$target-$r.cpu")")
          errors=$((errors + $(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$f")))
        done
        col[$target.rps]=$(median "${rps[@]}") col[$target.p50]=$(median "${p50[@]}") col[$target.p99]=$(median "${p99[@]}")
        col[$target.cpu]=$(median "${cpu[@]}")
      done
      ratio=$(awk -v a="${col[worker.rps]}" -v b="${col[baseline.rps]}" 'BEGIN {printf "%.1f%%", 100 * a / b}')
      report "$(printf '| %s | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | **%s** | %.0f, %.0f | %s |' "$m" "${col[worker.rps]}" \
        "${col[worker.p50]}" "${col[worker.p99]}" "${col[baseline.rps]}" "${col[baseline.p50]}" "${col[baseline.p99]}" "$ratio" \
        "${col[worker.cpu]}" "${col[baseline.cpu]}" "$errors")"
      unset col
    done
    report "" "Goal: the ratio within 5 % of today's without the $MODULES functions (docs/performance.md: 43–50 % hello-wat," \
      "33–40 % hello-c), measured in the same run as the Kestrel baseline. Raw wrk output in $OUT/wrk."
  else
    report "**Not measured:** /hot/hello-wat and /hot/hello-c (app density-hot) were not served by worker 1 within $SERVED_TIMEOUT s" \
      "(rollout: \`$(curl -s -H "Authorization: Bearer $ADMIN_KEY" "$CP/api/v1/apps/density-hot/rollout" | jq -c '[.workers[] | {nodeId, status, error}]' | cut -c1-400)\`)."
  fi
  report "" "$(phase_end)" ""
fi

# --- one app redeployed among N functions ----------------------------------------------------------------------
if wants redeploy; then
  report "### One app redeployed while $MODULES functions are deployed (goal: served by every worker < 500 ms)" ""
  not_converged_note
  phase_begin
  measure redeploy density-redeploy --control-plane "$CP" --bearer "$ADMIN_KEY" --workers "$WORKERS_CSV" \
    --digests "$OUT/digests.txt" --routes "$OUT/routes.txt" --app density-0 --count "$REDEPLOYS" --timeout-seconds "$SERVED_TIMEOUT"
  report "" "Per try: logs/redeploy.log. $(phase_end)" ""
fi

# --- a broken app, three ways ----------------------------------------------------------------------------------
if wants broken; then
  report "### A broken app, three ways, among $MODULES functions" "" \
    "Goal: each refused with 400, or accepted and isolated; either way another app's deploy made right after is served by" \
    "every worker within the usual time (the reference row). Each broken app is deleted again before the next try." ""
  not_converged_note
  phase_begin
  measure broken density-broken --control-plane "$CP" --bearer "$ADMIN_KEY" --workers "$WORKERS_CSV" \
    --digests "$OUT/digests.txt" --start-trap "$OUT/modules/starttrap.wasm" --bad-import "$FIXTURES/badimport.wasm" \
    --big-memory "$OUT/modules/bigmemory.wasm" --memory-mb 1 --timeout-seconds "$SERVED_TIMEOUT"
  report "" "Modules: tests/benchmarks/density/starttrap.wat, tests/fixtures/badimport.wat, tests/benchmarks/density/bigmemory.wat" \
    "(64 pages = 4 MiB minimum on a route with limits.memoryMb 1). Per try: logs/broken.log. $(phase_end)" ""
fi

# --- 10 × N routes over the N modules --------------------------------------------------------------------------
if wants routes; then
  report "### $ROUTES_TOTAL routes over the $MODULES modules ($ROUTES_APPS apps; goal: < 1.5 GiB per worker)" ""
  phase_begin
  RSS_MAX=0 RSS_ROWS=()
  say "routes: deploying $ROUTES_TOTAL routes in $ROUTES_APPS apps"
  measure routes-deploy density-deploy --control-plane "$CP" --bearer "$ADMIN_KEY" --digests "$OUT/digests.txt" \
    --apps "$ROUTES_APPS" --routes "$ROUTES_TOTAL" --routes-out "$OUT/routes-10x.txt" --timeout-seconds "$CONVERGE_TIMEOUT" \
    --label "$ROUTES_TOTAL routes in $ROUTES_APPS apps"
  ROUTES_CONVERGED=$((RC == 0))
  rss_add "after converging (or giving up)"
  report "" "A sample of the routes on both workers:" ""
  measure routes-check density-check --workers "$WORKERS_CSV" --routes "$OUT/routes-10x.txt" --sample "$((MODULES < 1000 ? MODULES : 1000))"
  rss_add "after the sample answered"
  sleep "$IDLE_WAIT"
  rss_add "idle ($IDLE_WAIT s later)"
  metrics "$M1" metrics-w1-after-routes.txt
  report "" "$RSS_HEADER" "${RSS_ROWS[@]}" "" "$(goal_rss 1536 "$ROUTES_CONVERGED")" "" "$(phase_end)" ""
fi

say "done: $REPORT"
