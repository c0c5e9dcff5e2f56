#!/usr/bin/env bash
# Runs the platform on this machine: local Postgres and RabbitMQ (deploy/local/services.sh), the control plane
# and worker node(s), all on 127.0.0.1. Ctrl-C stops everything this script started.
#
# Environment: FUNCTIONS_CONTROL_PLANE_PORT (5080), FUNCTIONS_WORKER_PORTS ("8080"; e.g. "8080 8081" for two
# workers, "" for none), FUNCTIONS_ADMIN_KEY / FUNCTIONS_WORKER_KEY (default: generated once into .local/keys/), plus the
# service ports of deploy/local/services.sh. Logs: prefixed on this terminal and in .local/logs/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
LOCAL_DIR="$(realpath -m "${FUNCTIONS_LOCAL_DIR:-$ROOT/.local}")"
SERVICES="$ROOT/deploy/local/services.sh"
CP_PORT="${FUNCTIONS_CONTROL_PLANE_PORT:-5080}"
read -r -a WORKER_PORTS <<<"${FUNCTIONS_WORKER_PORTS-8080}"
CONFIGURATION=Release
LOGS="$LOCAL_DIR/logs"

say() { printf '[run] %s\n' "$*" >&2; }
die() { printf '[run] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

STOP_SERVICES=0
CHILDREN=()
stop_all() {
  trap - EXIT INT TERM
  if ((${#CHILDREN[@]})); then
    say "stopping the control plane and workers"
    kill -TERM "${CHILDREN[@]}" 2>/dev/null || true
    wait "${CHILDREN[@]}" 2>/dev/null || true
  fi
  if ((STOP_SERVICES)); then
    "$SERVICES" stop || true
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

command -v dotnet >/dev/null || die "the .NET SDK (dotnet, version in global.json) is needed: https://dot.net"
for port in "$CP_PORT" "${WORKER_PORTS[@]}"; do
  [[ "$port" =~ ^[0-9]+$ ]] || die "'$port' is not a port number (FUNCTIONS_CONTROL_PLANE_PORT / FUNCTIONS_WORKER_PORTS)"
  port_open "$port" && die "port $port is already in use; pick others with FUNCTIONS_CONTROL_PLANE_PORT / FUNCTIONS_WORKER_PORTS"
done

# --- services --------------------------------------------------------------------------------------
if "$SERVICES" status >/dev/null 2>&1; then
  say "local Postgres and RabbitMQ already running: using them, leaving them running"
else
  STOP_SERVICES=1
  "$SERVICES" start
fi
eval "$("$SERVICES" env)"

# --- keys: stable across runs, so a worker and scripts keep working after a restart -------------------
mkdir -p "$LOCAL_DIR/keys" "$LOGS"
key() {
  local file="$LOCAL_DIR/keys/$1"
  [[ -s "$file" ]] || (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=' >"$file")
  cat "$file"
}
export FUNCTIONS_ADMIN_KEY="${FUNCTIONS_ADMIN_KEY:-$(key admin)}"
export FUNCTIONS_WORKER_KEY="${FUNCTIONS_WORKER_KEY:-$(key worker)}"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"

# --- build once, then run the built assemblies ----------------------------------------------------------
say "building the control plane and the worker ($CONFIGURATION)"
dotnet build src/Functions.ControlPlane -c "$CONFIGURATION" -v quiet -nologo -clp:NoSummary >&2
((${#WORKER_PORTS[@]} == 0)) || dotnet build src/Functions.Worker -c "$CONFIGURATION" -v quiet -nologo -clp:NoSummary >&2

# Runs a built host from its output folder (its appsettings.json is there), output prefixed and logged.
start_host() {
  local name="$1" project="$2"
  shift 2
  local bin="$ROOT/src/$project/bin/$CONFIGURATION/net10.0"
  (cd "$bin" && exec env "$@" dotnet "$project.dll") \
    > >(tee -a "$LOGS/$name.log" | sed -u "s/^/[$name] /") 2>&1 &
  CHILDREN+=($!)
}

wait_for_port() {
  local name="$1" port="$2" pid="$3"
  for _ in $(seq 120); do
    port_open "$port" && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited while starting (log: $LOGS/$name.log)"
    sleep 0.5
  done
  die "$name does not listen on 127.0.0.1:$port after 60 s (log: $LOGS/$name.log)"
}

CP_URL="http://127.0.0.1:$CP_PORT"
start_host control-plane Functions.ControlPlane ASPNETCORE_URLS="$CP_URL"
wait_for_port control-plane "$CP_PORT" "${CHILDREN[0]}"

for port in "${WORKER_PORTS[@]}"; do
  start_host "worker-$port" Functions.Worker \
    ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Worker__ControlPlaneUrl="$CP_URL" \
    Worker__NodeId="worker-$port" \
    Worker__CacheDirectory="$LOCAL_DIR/worker-$port/cache"
  wait_for_port "worker-$port" "$port" "${CHILDREN[-1]}"
done

{
  echo
  say "Functions is running:"
  say "  control plane  $CP_URL   (Swagger UI: $CP_URL/swagger)"
  for port in "${WORKER_PORTS[@]}"; do say "  worker         http://127.0.0.1:$port"; done
  say "  admin key      Authorization: Bearer $FUNCTIONS_ADMIN_KEY   (kept in $LOCAL_DIR/keys/admin)"
  say "Logs in $LOGS. Press Ctrl-C to stop."
  echo
} >&2

# Until Ctrl-C, or until one host exits (then everything stops, saying which).
set +e
wait -n "${CHILDREN[@]}"
status=$?
say "a host exited (status $status); stopping the rest"
exit "$status"
