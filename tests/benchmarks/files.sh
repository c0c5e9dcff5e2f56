#!/usr/bin/env bash
# App files benchmark (docs/performance.md, "App files"; not in CI): the time to pack, upload and deploy a bundle of
# many files with the CLI (`functions deploy` of a manifest whose route has files = { "/" = "site/" }), and the time
# until every worker serves a file from it. Each run makes a new folder (random, incompressible content, so a new
# digest) and deploys it to the same app. A baseline in the same run: the same deploy without files (module only).
# Starts its own control plane and workers from the Release build, on a database and RabbitMQ virtual host of its
# own, and stops everything at the end. Prints a markdown report.
#
#   tests/benchmarks/files.sh                      5 runs of 5,000 files, 50 MiB, 2 workers
#   options: --runs 5   --files 5000   --mib 50   --workers 2   --no-build   --out DIR (default .local/bench/files-<time>)
#
# Needs: dotnet, curl, jq, psql, python3; local Postgres and RabbitMQ (deploy/local/services.sh).
# Ports: BENCH_CONTROL_PLANE_PORT (5195), BENCH_WORKER_PORT (8195, then +1 per worker; management ports + 1000).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_NAME=files.sh
# shellcheck source=common.sh
. "$ROOT/tests/benchmarks/common.sh"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RUNS=5 FILES=5000 MIB=50 WORKERS=2 BUILD=1 OUT=""
while (($#)); do
  case $1 in
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    --files) FILES=${2:?--files needs a number}; shift ;;
    --mib) MIB=${2:?--mib needs a number}; shift ;;
    --workers) WORKERS=${2:?--workers needs a number}; shift ;;
    --no-build) BUILD=0 ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "files.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

CP_PORT=${BENCH_CONTROL_PLANE_PORT:-5195}
FIRST_WORKER_PORT=${BENCH_WORKER_PORT:-8195}
DB=functions_files_bench
VHOST=functions-files-bench
CLI_DLL="$ROOT/src/Functions.Cli/bin/Release/net10.0/functions.dll"
OUT=$(realpath -m "${OUT:-$ROOT/.local/bench/files-$(date +%Y%m%d-%H%M%S)}")
mkdir -p "$OUT/logs"
REPORT="$OUT/report.md"

for tool in dotnet curl jq psql python3; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install curl jq postgresql-client python3)"
done
WORKER_PORTS=()
for ((i = 0; i < WORKERS; i++)); do WORKER_PORTS+=($((FIRST_WORKER_PORT + i))); done
for port in "$CP_PORT" "${WORKER_PORTS[@]}"; do
  port_open "$port" && die "port $port is in use; choose others with BENCH_CONTROL_PLANE_PORT / BENCH_WORKER_PORT"
done

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  bench_teardown
  rm -rf "$OUT/site" "$OUT/worker-cache"
  ((status == 0)) || say "failed (status $status); logs in $OUT/logs"
  exit "$status"
}
trap cleanup EXIT
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

bench_services
"$ROOT/tests/fixtures/build.sh" >"$OUT/logs/fixtures.log" 2>&1 || die "fixtures did not build: $OUT/logs/fixtures.log"
bench_build
if ((BUILD)); then
  dotnet build src/Functions.Cli -c Release -v quiet -nologo -clp:NoSummary >"$OUT/logs/build-cli.log" 2>&1 ||
    die "build of the CLI failed: $OUT/logs/build-cli.log"
fi

ADMIN_KEY="files-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WORKER_KEY="files-worker-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CP="http://127.0.0.1:$CP_PORT"
say "starting the control plane on $CP and $WORKERS workers on ports ${WORKER_PORTS[*]}"
host Functions.ControlPlane control-plane "$CP_PORT" ConnectionStrings__Postgres="$POSTGRES" \
  ConnectionStrings__RabbitMq="$RABBITMQ" FUNCTIONS_ADMIN_KEY="$ADMIN_KEY" FUNCTIONS_WORKER_KEY="$WORKER_KEY"
wait_http "$CP/readyz" 90
for port in "${WORKER_PORTS[@]}"; do
  host Functions.Worker "worker-$port" "$port" ConnectionStrings__RabbitMq="$RABBITMQ" FUNCTIONS_WORKER_KEY="$WORKER_KEY" \
    Worker__ControlPlaneUrl="$CP" Worker__NodeId="files-$port" Worker__CacheDirectory="$OUT/worker-cache/$port" \
    Worker__ManagementUrls="$(management "$port")"
done
for port in "${WORKER_PORTS[@]}"; do wait_http "$(management "$port")/readyz" 90; done

cli() { FUNCTIONS_URL="$CP" FUNCTIONS_ADMIN_KEY="$ADMIN_KEY" dotnet "$CLI_DLL" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# every_worker_answers PATH STATUS TEXT: until every worker answers PATH with STATUS and a body containing TEXT
# (60 s at most). Each run deploys a route of its own, so the first such answer is the new release's.
every_worker_answers() {
  local path=$1 status=$2 text=$3 deadline=$((SECONDS + 60)) port got
  for port in "${WORKER_PORTS[@]}"; do
    until got=$(curl -s -o "$OUT/answer" -w '%{http_code}' "http://127.0.0.1:$port$path") && [[ "$got" == "$status" ]] &&
      grep -qF -- "$text" "$OUT/answer"; do
      ((SECONDS < deadline)) || die "worker $port did not answer $path with $status and '$text' within 60 s: last $got (logs in $OUT/logs)"
      sleep 0.02
    done
  done
}

cp "$FIXTURES/readfile.wasm" "$OUT/readfile.wasm"
# The target file: the last one written, in the last folder.
last_dir=$(printf 'd%03d' $(((FILES - 1) / 100))) last_file=$(printf 'f%05d.bin' $((FILES - 1)))
manifests() { # manifests RUN: the app with files at /bench-RUN, and the baseline app without files at /plain-RUN
  cat >"$OUT/files.toml" <<TOML
app = "bench"
[[routes]]
route = "/bench-$1"
module = "readfile.wasm"
environment = { FILE_PATH = "/$last_dir/$last_file" }
files = { "/" = "site/" }
TOML
  cat >"$OUT/plain.toml" <<TOML
app = "plain"
[[routes]]
route = "/plain-$1"
module = "readfile.wasm"
environment = { FILE_PATH = "/nothing" }
TOML
}

: >"$REPORT"
report "## App files: $FILES files, $MIB MiB, $WORKERS workers, $(date -u '+%Y-%m-%d %H:%M UTC') — commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "" \
  "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; .NET $(dotnet --version)." "" \
  "| run | bundle | CLI deploy (pack + upload + PUT), ms | deploy done → every worker serves, ms | total, ms | baseline: deploy without files → every worker serves, ms |" \
  "|---|---|---|---|---|---|"
DEPLOY=() SERVE=() TOTAL=() BASE=()
for ((run = 1; run <= RUNS; run++)); do
  rm -rf "$OUT/site"
  python3 - "$OUT/site" "$FILES" "$MIB" <<'PY'
import os, sys
root, files, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
size = mib * 1024 * 1024 // files
for i in range(files):
    folder = os.path.join(root, "d%03d" % (i // 100))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
PY
  manifests "$run"

  t0=$(now_ms)
  cli deploy "$OUT/files.toml" >"$OUT/logs/deploy-$run.log" 2>&1 || die "functions deploy failed: $OUT/logs/deploy-$run.log"
  t1=$(now_ms)
  every_worker_answers "/bench-$run" 200 ""
  t2=$(now_ms)
  cmp -s <(head -c 24 "$OUT/answer") <(head -c 24 "$OUT/site/$last_dir/$last_file") || die "/bench-$run did not answer the file's bytes"
  digest=$(grep -o 'site/: uploaded (sha256:[0-9a-f]*' "$OUT/logs/deploy-$run.log" | grep -o 'sha256:.*' || true)

  b0=$(now_ms)
  cli deploy "$OUT/plain.toml" >"$OUT/logs/baseline-$run.log" 2>&1 || die "baseline deploy failed: $OUT/logs/baseline-$run.log"
  every_worker_answers "/plain-$run" 404 "cannot read /nothing"
  b1=$(now_ms)

  DEPLOY+=($((t1 - t0))) SERVE+=($((t2 - t1))) TOTAL+=($((t2 - t0))) BASE+=($((b1 - b0)))
  report "| $run | ${digest:0:19}… | $((t1 - t0)) | $((t2 - t1)) | $((t2 - t0)) | $((b1 - b0)) |"
done
d=$(median "${DEPLOY[@]}") s=$(median "${SERVE[@]}") t=$(median "${TOTAL[@]}") b=$(median "${BASE[@]}")
report "| **median** | | **$d** | **$s** | **$t** | **$b** |" "" \
  "Total (deploy command started → every worker serves a file of the new bundle) = $(awk -v t="$t" -v b="$b" 'BEGIN {printf "%.1f", t / b}') × the baseline deploy without files." \
  "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Logs: $OUT/logs."
