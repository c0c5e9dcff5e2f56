#!/usr/bin/env bash
# Runs the whole platform on this machine, on 127.0.0.1: local Postgres, RabbitMQ and an OCI registry (deploy/local/services.sh,
# installed with apt when missing), the control plane and two worker nodes. It builds the hosts and the sample
# functions, applies the database migrations, deploys nothing, and prints how to deploy and call a sample.
# Ctrl-C (or SIGTERM) stops everything it started: the hosts, and the services unless they were already running.
# Data stays in .local/, so after a restart the workers re-sync and serve the same apps again.
#
# Environment: FUNCTIONS_CONTROL_PLANE_PORT (5080), FUNCTIONS_WORKER_PORTS ("8080 8081"; one port per worker,
# "" for none), FUNCTIONS_WORKER_MANAGEMENT_PORTS (each worker port + 1000: "9080 9081"; where a worker answers
# /healthz, /readyz and /metrics, since every path on its own port is a function's), FUNCTIONS_ADMIN_KEY / FUNCTIONS_WORKER_KEY (default: generated once into .local/keys/),
# FUNCTIONS_LOCAL_DIR (.local), plus the service ports of deploy/local/services.sh.
# Logs: prefixed on this terminal and in .local/logs/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CALLER_DIR="$PWD"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
LOCAL_DIR="$(realpath -m "${FUNCTIONS_LOCAL_DIR:-$ROOT/.local}")"
export FUNCTIONS_LOCAL_DIR="$LOCAL_DIR"   # services.sh keeps its data there too
SERVICES="$ROOT/deploy/local/services.sh"
CP_PORT="${FUNCTIONS_CONTROL_PLANE_PORT:-5080}"
# The control plane's /metrics answers on its own port (Functions__ManagementUrls): its API port + 1000.
CP_MANAGEMENT_PORT=$((CP_PORT + 1000))
CP_URL="http://127.0.0.1:$CP_PORT"
read -r -a WORKER_PORTS <<<"${FUNCTIONS_WORKER_PORTS-8080 8081}"
read -r -a MANAGEMENT_PORTS <<<"${FUNCTIONS_WORKER_MANAGEMENT_PORTS-}"
CONFIGURATION=Release
LOGS="$LOCAL_DIR/logs"

say() { printf '[run] %s\n' "$*" >&2; }
die() { printf '[run] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- stopping: whatever ends the script (Ctrl-C, SIGTERM, a host exiting, an error) stops what it started -----
STOP_SERVICES=0
CHILDREN=()
declare -A HOST_NAMES=()   # pid -> name, to say which host exited
stop_all() {
  local status=$?
  trap - EXIT INT TERM
  if ((${#CHILDREN[@]})); then
    say "stopping the control plane and workers"
    kill -TERM "${CHILDREN[@]}" 2>/dev/null || true
    # Workers drain in-flight requests first (Worker:DrainTimeout, 30 s); past 45 s, stop waiting.
    for _ in $(seq 90); do
      kill -0 "${CHILDREN[@]}" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "${CHILDREN[@]}" 2>/dev/null && say "a host did not stop within 45 s and was killed"
    wait "${CHILDREN[@]}" 2>/dev/null || true
  fi
  if ((STOP_SERVICES)); then
    "$SERVICES" stop || say "could not stop the local services; run $SERVICES stop"
  fi
  if ((${#CHILDREN[@]} || STOP_SERVICES)); then say "stopped"; fi
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- checks before starting anything --------------------------------------------------------------------------
command -v dotnet >/dev/null || die "the .NET SDK (dotnet, version in global.json) is needed: https://dot.net"
command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"
for i in "${!WORKER_PORTS[@]}"; do
  [[ "${WORKER_PORTS[i]}" =~ ^[0-9]+$ ]] || die "'${WORKER_PORTS[i]}' is not a port number (FUNCTIONS_WORKER_PORTS)"
  [[ -n "${FUNCTIONS_WORKER_MANAGEMENT_PORTS:-}" ]] || MANAGEMENT_PORTS[i]=$((WORKER_PORTS[i] + 1000))
done
((${#MANAGEMENT_PORTS[@]} == ${#WORKER_PORTS[@]})) ||
  die "FUNCTIONS_WORKER_MANAGEMENT_PORTS needs one port per worker port ('${WORKER_PORTS[*]}'), got '${MANAGEMENT_PORTS[*]}'"
for port in "$CP_PORT" "$CP_MANAGEMENT_PORT" "${WORKER_PORTS[@]}" "${MANAGEMENT_PORTS[@]}"; do
  [[ "$port" =~ ^[0-9]+$ ]] || die "'$port' is not a port number (FUNCTIONS_CONTROL_PLANE_PORT / FUNCTIONS_WORKER_PORTS / FUNCTIONS_WORKER_MANAGEMENT_PORTS)"
  port_open "$port" && die "port $port is already in use; pick others with FUNCTIONS_CONTROL_PLANE_PORT / FUNCTIONS_WORKER_PORTS / FUNCTIONS_WORKER_MANAGEMENT_PORTS"
done
[[ -z "$(printf '%s\n' "$CP_PORT" "$CP_MANAGEMENT_PORT" "${WORKER_PORTS[@]}" "${MANAGEMENT_PORTS[@]}" | sort | uniq -d)" ]] ||
  die "a port is given twice in FUNCTIONS_CONTROL_PLANE_PORT / FUNCTIONS_WORKER_PORTS / FUNCTIONS_WORKER_MANAGEMENT_PORTS"
# Host volumes (the operator's opt-in beside file bundles): routes may mount folders under this one, so a WAGI
# modules.toml whose volumes point inside it imports unchanged (`functions import-wagi --host-volumes`).
VOLUMES_DIR="$LOCAL_DIR/volumes"
mkdir -p "$LOCAL_DIR/keys" "$LOGS" "$VOLUMES_DIR"

# --- services: Postgres and RabbitMQ ----------------------------------------------------------------------------
if "$SERVICES" status >/dev/null 2>&1; then
  say "local Postgres and RabbitMQ already running: using them, leaving them running"
else
  STOP_SERVICES=1
  "$SERVICES" start
fi
eval "$("$SERVICES" env)"   # ConnectionStrings__Postgres, ConnectionStrings__RabbitMq, FUNCTIONS_REGISTRY

# --- keys: the same across runs, so scripts and the CLI keep working after a restart ----------------------------
key() {
  local file="$LOCAL_DIR/keys/$1"
  [[ -s "$file" ]] || (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$file")
  cat "$file"
}
ADMIN_KEY_FILE=""
if [[ -n "${FUNCTIONS_ADMIN_KEY:-}" ]]; then
  ADMIN_KEY="$FUNCTIONS_ADMIN_KEY" ADMIN_KEY_SOURCE="from FUNCTIONS_ADMIN_KEY"
else
  ADMIN_KEY="$(key admin)" ADMIN_KEY_SOURCE="kept in $LOCAL_DIR/keys/admin" ADMIN_KEY_FILE="$LOCAL_DIR/keys/admin"
fi
WORKER_KEY="${FUNCTIONS_WORKER_KEY:-$(key worker)}"
# Each host gets only its own key (below), not from this script's environment.
unset FUNCTIONS_ADMIN_KEY FUNCTIONS_WORKER_KEY
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"

# --- build the hosts and the sample functions ---------------------------------------------------------------------
# --disable-build-servers: no MSBuild or compiler server is left running after the script stops.
build() {
  dotnet build "$1" -c "$CONFIGURATION" --disable-build-servers -v quiet -nologo >"$LOGS/build.log" 2>&1 ||
    { cat "$LOGS/build.log" >&2; die "building $1 failed (output above, also in $LOGS/build.log)"; }
}
# The CLI, published once per run (a `dotnet run` rebuilds and starts in several seconds per command; the launcher
# starts in a fraction of one). The launcher talks to this platform unless FUNCTIONS_URL / FUNCTIONS_ADMIN_KEY say
# otherwise; it reads the admin key from its file at each call, so it follows a key kept in .local/keys.
CLI="$LOCAL_DIR/bin/functions"
install_cli() {
  dotnet publish src/Functions.Cli -c "$CONFIGURATION" -o "$LOCAL_DIR/cli" --disable-build-servers -v quiet -nologo \
    >"$LOGS/build-cli.log" 2>&1 ||
    { cat "$LOGS/build-cli.log" >&2; die "publishing the CLI failed (output above, also in $LOGS/build-cli.log)"; }
  local key_line=""
  [[ -z "${ADMIN_KEY_FILE:-}" ]] || key_line="[ -n \"\${FUNCTIONS_ADMIN_KEY:-}\" ] || FUNCTIONS_ADMIN_KEY=\"\$(cat '$ADMIN_KEY_FILE')\""
  mkdir -p "$LOCAL_DIR/bin"
  cat >"$CLI.tmp" <<LAUNCHER
#!/bin/sh
# The Functions CLI (docs/cli.md), published by deploy/run.sh into $LOCAL_DIR/cli; run.sh refreshes it at each start.
: "\${FUNCTIONS_URL:=$CP_URL}"
$key_line
export FUNCTIONS_URL FUNCTIONS_ADMIN_KEY
exec "$(command -v dotnet)" "$LOCAL_DIR/cli/functions.dll" "\$@"
LAUNCHER
  chmod 755 "$CLI.tmp" && mv -f "$CLI.tmp" "$CLI"
}

say "building the control plane and the worker ($CONFIGURATION)"
build src/Functions.ControlPlane
((${#WORKER_PORTS[@]} == 0)) || build src/Functions.Worker
say "publishing the command-line tool into $LOCAL_DIR/cli/ (launcher: $LOCAL_DIR/bin/functions)"
install_cli
say "building the sample functions into samples/out/ (tests/fixtures/build.sh)"
tests/fixtures/build.sh >&2 || say "WARNING: building the samples failed (see above); the platform runs, the example below needs samples/out/hello.wasm"

# --- run the hosts --------------------------------------------------------------------------------------------------
# Starts a built host in the background from its output folder (its appsettings.json is there); HOST_PID is the
# host's own process (the subshell execs into it), so stopping it stops the host. Output goes to this terminal,
# prefixed, and to its log; the log writers ignore Ctrl-C so they outlive the host's last lines.
# The variables are exported inside the subshell, never passed as arguments: keys must not show in `ps`.
# Usage: start_host NAME PROJECT [variables: NAME=value, -u NAME] [-- arguments for the host]
start_host() {
  local name="$1" project="$2" environment=()
  shift 2
  while (($#)) && [[ "$1" != -- ]]; do environment+=("$1"); shift; done
  (($#)) && shift
  (
    set -- "${environment[@]}" -- "$@"
    while [[ "$1" != -- ]]; do
      if [[ "$1" == -u ]]; then unset "$2"; shift 2; else export "${1?}"; shift; fi
    done
    shift
    cd "$ROOT/src/$project/bin/$CONFIGURATION/net10.0" && exec dotnet "$project.dll" "$@"
  ) \
    > >(trap '' INT TERM; tee -a "$LOGS/$name.log" | sed -u "s/^/[$name] /") 2>&1 &
  HOST_PID=$!
  HOST_NAMES[$HOST_PID]="$name"
}

wait_until_ready() { # NAME URL PID: URL answers /readyz (a worker's management address)
  local name="$1" url="$2" pid="$3"
  for _ in $(seq 240); do
    curl -fsS -o /dev/null --max-time 2 "$url/readyz" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited while starting (log: $LOGS/$name.log)"
    sleep 0.5
  done
  die "$name is not ready at $url/readyz after 120 s (log: $LOGS/$name.log)"
}

# Swagger UI on explicitly (a local run on 127.0.0.1), whatever ASPNETCORE_ENVIRONMENT says.
CP_ENV=(FUNCTIONS_ADMIN_KEY="$ADMIN_KEY" FUNCTIONS_WORKER_KEY="$WORKER_KEY" Functions__SwaggerUi__Enabled=true
  Functions__VolumesRoot="$VOLUMES_DIR" Functions__ManagementUrls="http://127.0.0.1:$CP_MANAGEMENT_PORT")

# The control plane also migrates at start-up; doing it first makes a database problem a clear, separate failure.
say "applying database migrations"
start_host migrate Functions.ControlPlane "${CP_ENV[@]}" -- migrate
CHILDREN=("$HOST_PID")
wait "$HOST_PID" || die "the migrations failed (log: $LOGS/migrate.log)"
CHILDREN=()

say "starting the control plane on $CP_URL"
start_host control-plane Functions.ControlPlane "${CP_ENV[@]}" ASPNETCORE_URLS="$CP_URL"
CHILDREN+=("$HOST_PID")
wait_until_ready control-plane "$CP_URL" "$HOST_PID"

WORKER_PIDS=()
for i in "${!WORKER_PORTS[@]}"; do
  port="${WORKER_PORTS[i]}"
  say "starting worker-$port on http://127.0.0.1:$port (management http://127.0.0.1:${MANAGEMENT_PORTS[i]})"
  start_host "worker-$port" Functions.Worker \
    -u ConnectionStrings__Postgres \
    FUNCTIONS_WORKER_KEY="$WORKER_KEY" \
    ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Worker__ManagementUrls="http://127.0.0.1:${MANAGEMENT_PORTS[i]}" \
    Worker__ControlPlaneUrl="$CP_URL" \
    Worker__NodeId="worker-$port" \
    Worker__CacheDirectory="$LOCAL_DIR/worker-$port/cache" \
    Worker__VolumesRoot="$VOLUMES_DIR"
  CHILDREN+=("$HOST_PID")
  WORKER_PIDS+=("$HOST_PID")
done
# Ready once a worker has applied the control plane's current state (nothing yet, or the apps deployed before).
for i in "${!WORKER_PORTS[@]}"; do
  wait_until_ready "worker-${WORKER_PORTS[i]}" "http://127.0.0.1:${MANAGEMENT_PORTS[i]}" "${WORKER_PIDS[i]}"
done

# --- what to do next --------------------------------------------------------------------------------------------------
# Paths in the example work from the folder the script was started in.
[[ "$CALLER_DIR" == "$ROOT" ]] && HERE="" || HERE="$ROOT/"
WORKER_LINES="" CALL_LINES=""
for i in "${!WORKER_PORTS[@]}"; do
  port="${WORKER_PORTS[i]}" management="http://127.0.0.1:${MANAGEMENT_PORTS[i]}"
  WORKER_LINES+="  worker         http://127.0.0.1:$port      metrics: $management/metrics  (also /readyz, /healthz)"$'\n'
  CALL_LINES+="  curl http://127.0.0.1:$port/hello"$'\n'
done
cat <<BANNER

Functions is running.
  control plane  $CP_URL      Swagger UI: $CP_URL/swagger (Authorize with the admin key)
                 metrics: http://127.0.0.1:$CP_MANAGEMENT_PORT/metrics
${WORKER_LINES}  admin key      $ADMIN_KEY   ($ADMIN_KEY_SOURCE)
  logs           $LOGS/
  host volumes   $VOLUMES_DIR/   (routes may mount folders under it; file bundles need nothing)
  OCI registry   ${FUNCTIONS_REGISTRY:-not running}   (plain HTTP on loopback; docs/oci.md)

Deploy the hello sample at /hello and call it (in another terminal):

  export FUNCTIONS_URL=$CP_URL FUNCTIONS_ADMIN_KEY=$ADMIN_KEY
  digest=\$(curl -fsS -H "Authorization: Bearer \$FUNCTIONS_ADMIN_KEY" -H 'Content-Type: application/wasm' \\
    --data-binary @${HERE}samples/out/hello.wasm \$FUNCTIONS_URL/api/v1/modules | grep -o 'sha256:[0-9a-f]*' | head -n1)
  curl -fsS -X PUT -H "Authorization: Bearer \$FUNCTIONS_ADMIN_KEY" -H 'Content-Type: application/json' \\
    -d "{\"routes\": [{\"route\": \"/hello\", \"module\": \"\$digest\"}]}" -w '\\n' \$FUNCTIONS_URL/api/v1/apps/hello
  # the workers compile it in a second or two: wait until the rollout has no worker pending, then call each one
  until curl -fsS -H "Authorization: Bearer \$FUNCTIONS_ADMIN_KEY" \$FUNCTIONS_URL/api/v1/apps/hello/rollout | grep -q '"pending":0,'; do sleep 0.5; done
${CALL_LINES}
The same with the CLI (docs/cli.md), whose launcher talks to this platform:

  $CLI deploy ${HERE}samples/out/hello.wasm --app hello --route /hello
  $CLI status hello --wait
  # on your PATH: export PATH="$LOCAL_DIR/bin:\$PATH"; then: functions apps
  # publish a module to the local registry as an OCI artifact:
  $CLI push ${HERE}samples/out/hello.wasm ${FUNCTIONS_REGISTRY:-127.0.0.1:55000}/samples/hello:1 --insecure

Press Ctrl-C to stop.

BANNER

# Until Ctrl-C or SIGTERM, or until a host exits (then everything stops, saying which).
set +e
wait -n -p exited "${CHILDREN[@]}"
status=$?
set -e
name="a host"
[[ -n "${exited:-}" ]] && name="${HOST_NAMES[$exited]}"
say "$name exited (status $status; log: $LOGS/$name.log); stopping the rest"
exit $((status == 0 ? 1 : status))
