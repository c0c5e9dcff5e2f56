#!/usr/bin/env bash
# HTTP performance of the platform, end to end on loopback (docs/performance.md, "Worker over HTTP" and "Control
# plane", shows a run and how to read it). Starts its own control plane and three workers from the Release build,
# on a database and RabbitMQ virtual host of its own, measures, prints a markdown report, and stops everything.
#
#   tests/benchmarks/http.sh                  the full run (about 12 minutes on 2 cores)
#   tests/benchmarks/http.sh --quick          one repeat, short runs: checks that the script works (about 3 minutes)
#   options: --only throughput,flood,deploy,control   --no-build   --out DIR (default .local/bench/http-<time>)
#            --modules hello-wat,hello-c,...: the throughput phase's modules (default all five below)
#            --perf: also profile worker 1 serving hello-wat under wrk (perf record -g, .NET perf maps): perf-*.txt
#            --compare-worker DIR: also measure, in the same interleaved throughput loop, a worker from another build
#               (DIR holds its Functions.Worker.dll, e.g. a worktree of an earlier commit built in Release), on
#               BENCH_COMPARE_WORKER_PORT (8194): before/after figures from one run
#
# Measures
#   throughput  one worker vs plain Kestrel returning the same bytes (tests/benchmarks/Functions.HttpBench baseline),
#               wrk -t2 -c32 -d10s --latency, interleaved, 3 repeats, medians: hello-wat, hello-c, cpu, big, rust-page
#   flood       100 requests at once to spin (SPIN_MS=5000, maxConcurrency 4) while a hello on the same worker is
#               measured: paced at 100 req/s, then by wrk
#   deploy      PUT /api/v1/apps/{name} returning → all three workers serving the new release: an already compiled
#               module (new env value), and a 1.09 MB module never compiled before (new digest each time)
#   control     POST of a 10 MiB module end to end; GET /api/v1/apps/{name} at a fixed 200 req/s
# Needs: dotnet, wrk, curl, jq, psql; local Postgres and RabbitMQ (deploy/local/services.sh; started and stopped
# again when not already running). Ports: BENCH_CONTROL_PLANE_PORT (5190), BENCH_WORKER_PORTS ("8191 8192 8193"),
# BENCH_BASELINE_PORT (8199). The machine is shared by servers and load generators: read results as relative.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_NAME=http.sh
# shellcheck source=common.sh
. "$ROOT/tests/benchmarks/common.sh"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

QUICK=0 BUILD=1 PERF=0 ONLY="throughput,flood,deploy,control" OUT="" MODULE_LIST="hello-wat,hello-c,cpu,big,rust-page" COMPARE_DIR=""
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --perf) PERF=1 ;;
    --only) ONLY=${2:?--only needs a list, e.g. throughput,deploy}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --modules) MODULE_LIST=${2:?--modules needs a list, e.g. hello-wat,hello-c}; shift ;;
    --compare-worker) COMPARE_DIR=$(realpath "${2:?--compare-worker needs the folder of a Functions.Worker.dll}"); shift ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "http.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

if ((QUICK)); then
  REPEATS=1 WRK_SECONDS=3 DEPLOYS=3 UPLOADS=3 RATE_SECONDS=5
else
  REPEATS=3 WRK_SECONDS=10 DEPLOYS=10 UPLOADS=10 RATE_SECONDS=20
fi
CP_PORT=${BENCH_CONTROL_PLANE_PORT:-5190}
read -r -a WORKER_PORTS <<<"${BENCH_WORKER_PORTS:-8191 8192 8193}"
BASELINE_PORT=${BENCH_BASELINE_PORT:-8199}
COMPARE_PORT=${BENCH_COMPARE_WORKER_PORT:-8194}
DB=functions_http_bench
VHOST=functions-http-bench
BENCH_DLL="$ROOT/tests/benchmarks/Functions.HttpBench/bin/Release/net10.0/Functions.HttpBench.dll"
OUT=$(realpath -m "${OUT:-$ROOT/.local/bench/http-$(date +%Y%m%d-%H%M%S)}")
mkdir -p "$OUT/logs" "$OUT/wrk" "$OUT/bodies"
REPORT="$OUT/report.md"

((PERF)) && { command -v perf >/dev/null || die "--perf needs perf (apt-get install linux-perf)"; }
for tool in dotnet wrk curl jq psql; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install wrk curl jq postgresql-client; .NET SDK from global.json)"
done
for port in "$CP_PORT" "${WORKER_PORTS[@]}" "$BASELINE_PORT" $(for p in "${WORKER_PORTS[@]}"; do echo $((p + 1000)); done); do
  port_open "$port" && die "port $port is in use; choose others with BENCH_CONTROL_PLANE_PORT / BENCH_WORKER_PORTS / BENCH_BASELINE_PORT"
done
((${#WORKER_PORTS[@]} == 3)) || die "BENCH_WORKER_PORTS must name three ports"

# --- cleanup: everything this script starts is stopped by pid, whatever happens --------------------------------
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  bench_teardown
  for pid in "${PIDS[@]}"; do rm -f "/tmp/perf-$pid.map" "/tmp/perfinfo-$pid.map"; done
  ((status == 0)) || say "failed (status $status); logs in $OUT/logs"
  exit "$status"
}
trap cleanup EXIT
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

# --- services, database, virtual host, build ------------------------------------------------------------------
bench_services

"$ROOT/tests/fixtures/build.sh" >"$OUT/logs/fixtures.log" 2>&1 || die "fixtures did not build: $OUT/logs/fixtures.log"
bench_build

ADMIN_KEY="bench-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WORKER_KEY="bench-worker-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CP="http://127.0.0.1:$CP_PORT"
WORKERS=() MANAGEMENT=()
for port in "${WORKER_PORTS[@]}"; do WORKERS+=("http://127.0.0.1:$port") MANAGEMENT+=("$(management "$port")"); done
W1=${WORKERS[0]} M1=${MANAGEMENT[0]}

say "starting the control plane on $CP and workers on ${WORKERS[*]}"
host Functions.ControlPlane control-plane "$CP_PORT" ConnectionStrings__Postgres="$POSTGRES" \
  ConnectionStrings__RabbitMq="$RABBITMQ" FUNCTIONS_ADMIN_KEY="$ADMIN_KEY" FUNCTIONS_WORKER_KEY="$WORKER_KEY"
wait_http "$CP/readyz" 90
for i in 0 1 2; do
  host Functions.Worker "worker-$((i + 1))" "${WORKER_PORTS[i]}" DOTNET_PerfMapEnabled=$PERF \
    DOTNET_EnableWriteXorExecute=$((1 - PERF)) ConnectionStrings__RabbitMq="$RABBITMQ" \
    FUNCTIONS_WORKER_KEY="$WORKER_KEY" Worker__ControlPlaneUrl="$CP" Worker__NodeId="bench-w$((i + 1))" \
    Worker__CacheDirectory="$OUT/worker-$((i + 1))" Worker__ManagementUrls="${MANAGEMENT[i]}"
done
W1_PID=${PIDS[1]}
for m in "${MANAGEMENT[@]}"; do wait_http "$m/readyz" 90; done
TARGETS=(worker baseline)
if [[ -n "$COMPARE_DIR" ]]; then
  [[ -f "$COMPARE_DIR/Functions.Worker.dll" ]] || die "--compare-worker: no Functions.Worker.dll in $COMPARE_DIR"
  start worker-compare "$COMPARE_DIR" env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__RabbitMq="$RABBITMQ" \
    FUNCTIONS_WORKER_KEY="$WORKER_KEY" Worker__ControlPlaneUrl="$CP" Worker__NodeId="bench-compare" \
    Worker__CacheDirectory="$OUT/worker-compare" Worker__ManagementUrls="$(management "$COMPARE_PORT")" \
    dotnet Functions.Worker.dll --urls "http://127.0.0.1:$COMPARE_PORT"
  COMPARE_PID=${PIDS[-1]}
  WC="http://127.0.0.1:$COMPARE_PORT"
  # A worker built before the management port answers /readyz on its invocation port.
  WCM="$(management "$COMPARE_PORT")"
  for _ in $(seq 450); do curl -sf -o /dev/null "$WCM/readyz" && break; curl -sf -o /dev/null "$WC/readyz" && { WCM=$WC; break; }; sleep 0.2; done
  wait_http "$WCM/readyz" 1
  TARGETS=(worker compare baseline)
fi

# --- helpers on the REST API -----------------------------------------------------------------------------------
upload() { # upload FILE → digest
  curl -sSf -X POST -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/wasm' \
    --data-binary "@$1" "$CP/api/v1/modules" | jq -r .digest
}
deploy() { # deploy APP ROUTES-JSON → generation
  curl -sSf -X PUT -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
    -d "{\"routes\": $2}" "$CP/api/v1/apps/$1" | jq -r .generation
}
wait_generation() { # wait_generation N: every worker's /readyz reports generation ≥ N
  local deadline=$((SECONDS + 120)) w g
  for w in "${MANAGEMENT[@]}"; do
    while true; do
      g=$(curl -sf "$w/readyz" | sed -n 's/^ready: generation \([0-9]*\).*/\1/p')
      [[ -n "$g" ]] && ((g >= $1)) && break
      ((SECONDS < deadline)) || die "$w did not reach generation $1 (logs in $OUT/logs)"
      sleep 0.1
    done
  done
}
bench() { timeout 600 dotnet "$BENCH_DLL" "$@"; }
# CPU accounting per phase: how much of the machine went to other processes (anything but this script, its
# children and the hosts it started) while the phase ran. The machine is shared; this says how much it was.
cpu_ours() { # utime + stime + cutime + cstime of this shell (waited children included) and of the hosts
  local pid total=0
  for pid in $$ "${PIDS[@]}"; do
    total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{s = $12 + $13 + $14 + $15} END {print s + 0}')))
  done
  echo "$total"
}
PHASE_MARK=""
phase_begin() { PHASE_MARK="$(cpu_busy) $(cpu_ours)"; }
phase_end() { # prints "other processes used X% of the 2 cores (this run: Y%); load average now …"
  local b0 a0 o0 b1 a1 o1
  read -r b0 a0 o0 <<<"$PHASE_MARK"
  read -r b1 a1 <<<"$(cpu_busy)"
  o1=$(cpu_ours)
  awk -v busy=$((b1 - b0)) -v all=$((a1 - a0)) -v ours=$((o1 - o0)) -v n="$(nproc)" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN { others = busy - ours; if (others < 0) others = 0;
      printf "CPU during this phase: other processes %.0f%% of the %d cores, this run %.0f%%; load average at its end %s.\n",
        100 * others / all, n, 100 * ours / all, load }'
}

# What was measured: the commit, and whether src/ differs from it (BENCH_COMMIT names it for a copy without .git).
COMMIT=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
DIRTY=$( (git status --porcelain -- src 2>/dev/null || true) | wc -l)
: >"$REPORT"
report "## Run of $(date -u '+%Y-%m-%d %H:%M UTC') — commit $COMMIT$( ((DIRTY)) && echo " + $DIRTY uncommitted file(s) in src/")" ""
report "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/Mem:/{print $2}') GB;" \
  ".NET $(dotnet --version); $( (wrk --version 2>&1 || true) | head -1 | cut -d' ' -f1-2). Servers and load generators share the cores." ""

# --- throughput: one worker vs plain Kestrel -------------------------------------------------------------------
IFS=, read -r -a MODULES <<<"$MODULE_LIST"
if wants throughput; then
  say "throughput: deploying ${MODULES[*]}"
  routes="[]"
  for m in "${MODULES[@]}"; do
    digest=$(upload "$FIXTURES/$m.wasm")
    routes=$(jq -c --arg r "/bench/$m" --arg d "$digest" '. + [{route: $r, module: $d}]' <<<"$routes")
  done
  generation=$(deploy bench-http "$routes")
  wait_generation "$generation"
  if [[ -n "$COMPARE_DIR" ]]; then
    deadline=$((SECONDS + 120))
    until [[ "$(curl -sf "$WCM/readyz" | sed -n 's/^ready: generation \([0-9]*\).*/\1/p')" -ge "$generation" ]] 2>/dev/null; do
      ((SECONDS < deadline)) || die "the compared worker did not reach generation $generation"
      sleep 0.1
    done
  fi
  : >"$OUT/baseline.tsv"
  for m in "${MODULES[@]}"; do
    # wrk sends only a Host header: capture the body of exactly that request (no curl User-Agent or Accept).
    status=$(curl -sS -H 'User-Agent:' -H 'Accept:' -D "$OUT/bodies/$m.headers" -o "$OUT/bodies/$m.body" \
      -w '%{http_code}' "$W1/bench/$m")
    [[ "$status" == 200 ]] || die "$W1/bench/$m answered $status: $(head -c 300 "$OUT/bodies/$m.body")"
    type=$(sed -n 's/^[Cc]ontent-[Tt]ype: *\(.*\)\r$/\1/p' "$OUT/bodies/$m.headers")
    printf '%s\t%s\t%s\n' "/bench/$m" "$type" "$OUT/bodies/$m.body" >>"$OUT/baseline.tsv"
  done
  start baseline "$ROOT" dotnet "$BENCH_DLL" baseline --urls "http://127.0.0.1:$BASELINE_PORT" --manifest "$OUT/baseline.tsv"
  BASE="http://127.0.0.1:$BASELINE_PORT"
  wait_http "$BASE/bench/hello-wat" 30
  for m in "${MODULES[@]}"; do
    curl -sS -H 'User-Agent:' -H 'Accept:' -o "$OUT/bodies/$m.baseline" "$BASE/bench/$m"
    cmp -s "$OUT/bodies/$m.body" "$OUT/bodies/$m.baseline" || die "the baseline's body for $m differs from the worker's"
  done

  to_bytes() { # 50.37MB → bytes (wrk counts in 1024s)
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /GB$/) n *= 1073741824; else if (v ~ /MB$/) n *= 1048576;
      else if (v ~ /KB$/) n *= 1024; printf "%.0f", n }'
  }
  # parse FILE → "rps p50ms p99ms bytes_per_response errors"
  parse() {
    local f=$1 rps p50 p99 reqs read errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
    reqs=$(awk '/requests in/ {print $1}' "$f")
    read=$(to_bytes "$(awk '/requests in/ {print $5}' "$f")")
    errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$f")
    echo "$rps $p50 $p99 $((reqs > 0 ? read / reqs : 0)) $errors"
  }
  COMPARE_ROWS=()
  BASE_PID=${PIDS[-1]}

  phase_begin
  say "throughput: warming up (3 s each)"
  for m in "${MODULES[@]}"; do
    wrk -t2 -c32 -d3s "$W1/bench/$m" >/dev/null
    [[ -z "$COMPARE_DIR" ]] || wrk -t2 -c32 -d3s "$WC/bench/$m" >/dev/null
    wrk -t2 -c32 -d3s "$BASE/bench/$m" >/dev/null
  done
  for r in $(seq "$REPEATS"); do
    for m in "${MODULES[@]}"; do
      for target in "${TARGETS[@]}"; do
        case $target in
          worker) url=$W1/bench/$m pid=$W1_PID ;;
          compare) url=$WC/bench/$m pid=$COMPARE_PID ;;
          *) url=$BASE/bench/$m pid=$BASE_PID ;;
        esac
        say "throughput: repeat $r/$REPEATS, $m on the $target"
        ticks=$(proc_ticks "$pid")
        wrk -t2 -c32 -d"${WRK_SECONDS}s" --latency "$url" >"$OUT/wrk/$m-$target-$r.txt"
        # The server's own CPU per request (all its threads), less sensitive to other processes than req/s.
        awk -v t=$(($(proc_ticks "$pid") - ticks)) -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.1f\n", t / hz * 1e6 / $1}' \
          "$OUT/wrk/$m-$target-$r.txt" >"$OUT/wrk/$m-$target-$r.cpu"
      done
    done
  done

  curl -sS "$M1/metrics" >"$OUT/metrics-after-throughput.txt" || true
  report "### Throughput: one worker vs plain Kestrel (wrk -t2 -c32 -d${WRK_SECONDS}s --latency; median of $REPEATS)" "" \
    "| module | size | body B | worker req/s | p50 ms | p99 ms | Kestrel req/s | p50 ms | p99 ms | worker / Kestrel | CPU µs/request worker, Kestrel | B/response worker, Kestrel | errors |" \
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for m in "${MODULES[@]}"; do
    declare -A col=()
    errors=0
    for target in "${TARGETS[@]}"; do
      rps=() p50=() p99=() cpu=()
      for r in $(seq "$REPEATS"); do
        read -r a b c d e <<<"$(parse "$OUT/wrk/$m-$target-$r.txt")"
        rps+=("$a") p50+=("$b") p99+=("$c") cpu+=("$(cat "$OUT/wrk/$m-$target-$r.cpu")")
        col[$target.bytes]=$d
        errors=$((errors + e))
      done
      col[$target.rps]=$(median "${rps[@]}") col[$target.p50]=$(median "${p50[@]}") col[$target.p99]=$(median "${p99[@]}")
      col[$target.cpu]=$(median "${cpu[@]}")
    done
    ratio=$(awk -v a="${col[worker.rps]}" -v b="${col[baseline.rps]}" 'BEGIN {printf "%.1f%%", 100 * a / b}')
    size=$(stat -c %s "$FIXTURES/$m.wasm" | awk '{printf($1 >= 1048576 ? "%.2f MB" : "%.1f KB", $1 >= 1048576 ? $1 / 1048576 : $1 / 1024)}')
    report "$(printf '| %s | %s | %s | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | **%s** | %.0f, %.0f | %s, %s | %s |' "$m" "$size" \
      "$(stat -c %s "$OUT/bodies/$m.body")" "${col[worker.rps]}" "${col[worker.p50]}" "${col[worker.p99]}" \
      "${col[baseline.rps]}" "${col[baseline.p50]}" "${col[baseline.p99]}" "$ratio" "${col[worker.cpu]}" "${col[baseline.cpu]}" "${col[worker.bytes]}" \
      "${col[baseline.bytes]}" "$errors")"
    if [[ -n "$COMPARE_DIR" ]]; then
      COMPARE_ROWS+=("$(printf '| %s | %.0f | %.0f | %.0f | **%s** | **%s** | %.0f, %.0f |' "$m" "${col[worker.rps]}" "${col[compare.rps]}" \
        "${col[baseline.rps]}" "$ratio" "$(awk -v a="${col[compare.rps]}" -v b="${col[baseline.rps]}" 'BEGIN {printf "%.1f%%", 100 * a / b}')" \
        "${col[worker.cpu]}" "${col[compare.cpu]}")")
    fi
    unset col
  done
  if [[ -n "$COMPARE_DIR" ]]; then
    report "" "#### This build against the worker in $COMPARE_DIR, same run (medians of $REPEATS)" "" \
      "| module | this worker req/s | compared worker req/s | Kestrel req/s | this / Kestrel | compared / Kestrel | CPU µs/request this, compared |" \
      "|---|---|---|---|---|---|---|" "${COMPARE_ROWS[@]}"
  fi
  report "" "Each repeat runs every module on the worker, then on Kestrel, back to back; raw wrk output in $OUT/wrk." \
    "CPU µs/request: the server process's own CPU time (all threads, from /proc) over the requests wrk completed." \
    "B/response: bytes read by wrk per response (headers + body; wrk rounds its total), a check that both sent the same." \
    "errors: non-2xx responses plus socket errors over all runs of both." "$(phase_end)" ""
fi

# --- profile (--perf): where worker 1 spends its time serving hello-wat -----------------------------------------
if ((PERF)) && wants throughput; then
  say "perf: recording worker 1 for 10 s under wrk on hello-wat"
  wrk -t2 -c32 -d13s "$W1/bench/hello-wat" >"$OUT/wrk/perf-hello-wat.txt" &
  wrk_pid=$!
  sleep 1.5
  perf record -q -F 499 -g -p "$W1_PID" -o "$OUT/perf.data" -- sleep 10 2>"$OUT/logs/perf.log" || true
  wait "$wrk_pid"
  # The JIT's symbol map goes when the worker stops: keep a copy (perf report reads /tmp/perf-<pid>.map).
  cp "/tmp/perf-$W1_PID.map" "$OUT/" 2>/dev/null || true
  # Flat profiles (self time): by library, and the top symbols (long Rust generics cut to 150 characters).
  perf report -i "$OUT/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
    head -12 >"$OUT/perf-dso.txt" || true
  perf report -i "$OUT/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
    cut -c1-150 | head -80 >"$OUT/perf-sym.txt" || true
  report "Profile of worker 1 under wrk on hello-wat ($(awk '/^Requests\/sec:/ {print $2}' "$OUT/wrk/perf-hello-wat.txt") req/s while recorded; perf record -g, self time):" "" \
    '```' "$(cat "$OUT/perf-dso.txt")" "" "$(head -30 "$OUT/perf-sym.txt")" '```' "All: $OUT/perf-sym.txt; call graphs: perf report -i $OUT/perf.data" ""
fi

# --- flood: slow functions next to fast ones -------------------------------------------------------------------
if wants flood; then
  if ! wants throughput; then
    wait_generation "$(deploy bench-http "[{\"route\": \"/bench/hello-c\", \"module\": \"$(upload "$FIXTURES/hello-c.wasm")\"}]")"
  fi
  spin=$(upload "$FIXTURES/spin.wasm")
  wait_generation "$(deploy bench-flood "[{\"route\": \"/flood/spin\", \"module\": \"$spin\", \"environment\": {\"SPIN_MS\": \"5000\"}, \"limits\": {\"maxConcurrency\": 4, \"timeoutMs\": 30000}}]")"
  report "### Slow functions vs fast ones (spin SPIN_MS=5000, maxConcurrency 4; hello-c on the same worker)" ""
  phase_begin
  # The measuring client runs at nice -10: four spinning functions take both cores, and a client starved of CPU
  # would send late and read late, blaming the worker for its own delay.
  say "flood: 100 spin requests at once, hello-c paced at 100 req/s"
  nice -n -10 timeout 600 dotnet "$BENCH_DLL" flood --spin-url "$W1/flood/spin" --hello-url "$W1/bench/hello-c" --hello-rate 100 --requests 100 | tee -a "$REPORT"
  report ""
  say "flood: again, hello-c measured by wrk"
  bench flood --spin-url "$W1/flood/spin" --requests 100 >"$OUT/flood-wrk-spin.md" 2>"$OUT/logs/flood-wrk.log" &
  flood_pid=$!
  sleep 0.3
  wrk -t2 -c32 -d4s --latency "$W1/bench/hello-c" >"$OUT/wrk/flood-hello-c.txt"
  wait "$flood_pid"
  report "wrk -t2 -c32 -d4s --latency on hello-c during the second flood:" "" '```' \
    "$(sed -n '/Latency Distribution/,/Requests\/sec/p' "$OUT/wrk/flood-hello-c.txt")" '```' "" \
    "$(tail -n 3 "$OUT/flood-wrk-spin.md")" "" "$(phase_end)" ""
fi

# --- deploy to served ------------------------------------------------------------------------------------------
if wants deploy; then
  workers_csv=$(IFS=,; echo "${WORKERS[*]}")
  report "### Deploy to served (3 workers; from PUT /api/v1/apps/{name} answering to every worker serving the release)" ""
  phase_begin
  say "deploy: already compiled module, $DEPLOYS deploys"
  bench deploy --control-plane "$CP" --bearer "$ADMIN_KEY" --workers "$workers_csv" --mode compiled \
    --module "$FIXTURES/hello-c.wasm" --count "$DEPLOYS" 2>"$OUT/logs/deploy-compiled.log" | tee -a "$REPORT"
  say "deploy: 1.09 MB module never compiled before, $DEPLOYS deploys"
  bench deploy --control-plane "$CP" --bearer "$ADMIN_KEY" --workers "$workers_csv" --mode fresh \
    --module "$FIXTURES/big.wasm" --count "$DEPLOYS" --expect "big:" 2>"$OUT/logs/deploy-fresh.log" | tail -n 1 | tee -a "$REPORT"
  report "" "Per-deploy times: $OUT/logs/deploy-*.log" "$(phase_end)" ""
fi

# --- control plane ---------------------------------------------------------------------------------------------
if wants control; then
  report "### Control plane" ""
  phase_begin
  say "control: $UPLOADS uploads of a 10 MiB module"
  bench upload --control-plane "$CP" --bearer "$ADMIN_KEY" --module "$FIXTURES/hello-wat.wasm" --mib 10 \
    --count "$UPLOADS" 2>"$OUT/logs/upload.log" | tee -a "$REPORT"
  report ""
  # The throughput phase's app (five routes) when it ran; else any app; else a new one.
  app=$(curl -sf -H "Authorization: Bearer $ADMIN_KEY" "$CP/api/v1/apps?pageSize=100" |
    jq -r '[.items[].name] | if index("bench-http") then "bench-http" else (.[0] // empty) end')
  if [[ -z "$app" ]]; then
    app=bench-get
    deploy "$app" "[{\"route\": \"/get\", \"module\": \"$(upload "$FIXTURES/hello-wat.wasm")\"}]" >/dev/null
  fi
  say "control: GET /api/v1/apps/$app at 200 req/s for $RATE_SECONDS s"
  bench rate --url "$CP/api/v1/apps/$app" --bearer "$ADMIN_KEY" --rate 200 --seconds "$RATE_SECONDS" \
    --label "GET /api/v1/apps/$app ($(curl -sf -H "Authorization: Bearer $ADMIN_KEY" "$CP/api/v1/apps/$app" | wc -c) B)" \
    2>"$OUT/logs/rate.log" | tee -a "$REPORT"
  report "" "$(phase_end)" ""
fi

say "done: $REPORT"
