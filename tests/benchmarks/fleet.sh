#!/usr/bin/env bash
# Fleet scale: the control plane and the broker with N simulated workers (tests/Functions.FleetSim), N = 50, 200 and
# 1000 by default. For each N: one control plane (Release), a fresh database and vhost, the simulator with N nodes,
# a steady phase (heartbeats only) and --deploys deploys; the report (markdown) goes to OUT/report.md.
#
#   tests/benchmarks/fleet.sh [--nodes "50 200 1000"] [--deploys 5] [--steady 30] [--apply-delay 200]
#                             [--heartbeat 10] [--pull-jitter 1000] [--label TEXT] [--no-build] [--out DIR]
#                             [--control-plane-root DIR]
#
# Per deploy: PUT → every node notified (its consumer took the doorbell) and → every node applied (the control
# plane accepted its heartbeat reporting the generation), p50/p99/max; the control plane's CPU seconds (from
# /proc) and Postgres transactions (pg_stat_database, net of the steady rate) from the PUT until every node
# applied; the broker's memory (management API); the steady heartbeat load. Needs the local services
# (deploy/local/services.sh), dotnet, curl, psql. --control-plane-root runs the control plane built (Release) in
# another checkout, e.g. a worktree of main for the figures before a change (the simulator stays this one).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_NAME=fleet.sh
. "$ROOT/tests/benchmarks/common.sh"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

NODES="50 200 1000" DEPLOYS=5 STEADY=30 APPLY_DELAY=200 HEARTBEAT=10 PULL_JITTER=1000 LABEL="" BUILD=1 OUT="" CP_ROOT=""
while (($#)); do
  case $1 in
    --nodes) NODES=${2:?--nodes needs numbers}; shift ;;
    --deploys) DEPLOYS=${2:?--deploys needs a number}; shift ;;
    --steady) STEADY=${2:?--steady needs seconds}; shift ;;
    --apply-delay) APPLY_DELAY=${2:?--apply-delay needs ms}; shift ;;
    --heartbeat) HEARTBEAT=${2:?--heartbeat needs seconds}; shift ;;
    --pull-jitter) PULL_JITTER=${2:?--pull-jitter needs ms}; shift ;;
    --control-plane-root) CP_ROOT=$(realpath "${2:?--control-plane-root needs a directory}"); shift ;;
    --label) LABEL=${2:?--label needs text}; shift ;;
    --no-build) BUILD=0 ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "fleet.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

CP_PORT=${BENCH_CONTROL_PLANE_PORT:-5197}
DB=functions_fleet_bench
VHOST=functions-fleet-bench
SIM_DLL="$ROOT/tests/Functions.FleetSim/bin/Release/net10.0/Functions.FleetSim.dll"
OUT=$(realpath -m "${OUT:-$ROOT/.local/bench/fleet-$(date +%Y%m%d-%H%M%S)}")
mkdir -p "$OUT/logs"
REPORT="$OUT/report.md"
for tool in dotnet curl psql; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install curl postgresql-client)"
done
port_open "$CP_PORT" && die "port $CP_PORT is in use; choose another with BENCH_CONTROL_PLANE_PORT"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  bench_teardown
  ((status == 0)) || say "failed (status $status); logs in $OUT/logs"
  exit "$status"
}
trap cleanup EXIT
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

service_passwords
"$ROOT/tests/fixtures/build.sh" >"$OUT/logs/fixtures.log" 2>&1 || die "fixtures did not build: $OUT/logs/fixtures.log"
if ((BUILD)); then
  say "building the control plane and the simulator (Release)"
  for project in src/Functions.ControlPlane tests/Functions.FleetSim; do
    dotnet build "$project" -c Release -v quiet -nologo -clp:NoSummary >"$OUT/logs/build.log" 2>&1 ||
      die "build of $project failed: $OUT/logs/build.log"
  done
fi

: >"$REPORT"
report "## Fleet: $NODES simulated workers, $(date -u '+%Y-%m-%d %H:%M UTC') — commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)${LABEL:+ ($LABEL)}" "" \
  "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; .NET $(dotnet --version)." ""
ADMIN_KEY="fleet-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WORKER_KEY="fleet-worker-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CP="http://127.0.0.1:$CP_PORT"
for n in $NODES; do
  # A fresh database and vhost per N: no rows or queues of the previous size.
  bench_teardown
  PIDS=()
  bench_services
  say "N = $n: control plane on $CP"
  ROOT=${CP_ROOT:-$ROOT} host Functions.ControlPlane "control-plane-$n" "$CP_PORT" ConnectionStrings__Postgres="$POSTGRES" \
    ConnectionStrings__RabbitMq="$RABBITMQ" FUNCTIONS_ADMIN_KEY="$ADMIN_KEY" FUNCTIONS_WORKER_KEY="$WORKER_KEY" \
    Functions__MaxWorkers=$((n + 100)) Logging__LogLevel__Default=Warning
  cp_pid=${PIDS[-1]}
  wait_http "$CP/readyz" 120
  FLEET_WORKER_KEY="$WORKER_KEY" FLEET_ADMIN_KEY="$ADMIN_KEY" FLEET_RABBITMQ="$RABBITMQ" FLEET_POSTGRES="$POSTGRES" \
    FLEET_RABBIT_MANAGEMENT="http://functions:$RABBIT_PASSWORD@127.0.0.1:$MGMT_PORT/" \
    dotnet "$SIM_DLL" --control-plane "$CP" --module "$FIXTURES/hello-wat.wasm" --nodes "$n" --deploys "$DEPLOYS" \
    --steady "$STEADY" --apply-delay "$APPLY_DELAY" --heartbeat "$HEARTBEAT" --pull-jitter "$PULL_JITTER" --control-plane-pid "$cp_pid" \
    ${LABEL:+--label "$LABEL"} >"$OUT/sim-$n.md" 2>"$OUT/logs/sim-$n.log" ||
    die "the simulator failed at N = $n: $OUT/logs/sim-$n.log"
  report "$(cat "$OUT/sim-$n.md")" ""
done
report "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Logs: $OUT/logs."
