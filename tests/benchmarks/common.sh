# Helpers shared by the benchmark scripts (http.sh, density.sh, soak.sh, files.sh). Sourced, not run: the script sets BENCH_NAME (its
# name in messages) and, before calling them, OUT (its output folder, with logs/), REPORT (the markdown report),
# ROOT (the checkout, before sourcing) and PIDS=() (every process it starts, stopped by its cleanup). It sets the
# services' ports (PG_PORT, AMQP_PORT, MGMT_PORT), SERVICES and FIXTURES.

say() { printf '[%s] %s\n' "$BENCH_NAME" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$BENCH_NAME" "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
report() { printf '%s\n' "$@" | tee -a "$REPORT"; }

# start NAME DIR COMMAND...: runs a process in DIR with its output in logs/NAME.log (the pid is the process's own:
# the subshell and env exec it).
start() {
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && exec "$@") >"$OUT/logs/$name.log" 2>&1 &
  PIDS+=($!)
}
wait_http() { # wait_http URL SECONDS: until URL answers 2xx
  local url=$1 deadline=$((SECONDS + $2))
  until curl -sf -o /dev/null "$url"; do
    ((SECONDS < deadline)) || die "$url did not answer within $2 s (logs in $OUT/logs)"
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || die "a process exited early (logs in $OUT/logs)"; done
    sleep 0.2
  done
}
# bench_services: the local services (started when not running: STOP_SERVICES=1 then), their passwords, a fresh
# database DB and RabbitMQ virtual host VHOST of the script's own; sets POSTGRES and RABBITMQ for the hosts.
# bench_teardown: stops every process in PIDS (TERM, then KILL after 10 s), drops DB and VHOST, and stops the
# services when bench_services started them. Both read PG_PORT, AMQP_PORT, MGMT_PORT, SERVICES, DB and VHOST.
PIDS=()
STOP_SERVICES=0
# The local services' addresses (deploy/local/services.sh's defaults and variables), and the fixtures' folder.
PG_PORT=${FUNCTIONS_PG_PORT:-55432}
AMQP_PORT=${FUNCTIONS_AMQP_PORT:-55672}
MGMT_PORT=${FUNCTIONS_RABBIT_MGMT_PORT:-55673}
SERVICES="$ROOT/deploy/local/services.sh"
FIXTURES="$ROOT/tests/fixtures/out"
bench_services() {
  if ! "$SERVICES" status >/dev/null 2>&1; then
    # Only services this run started are stopped at the end: when start fails (a shared broker that stopped
    # answering, say), the teardown must not stop what other people are using.
    "$SERVICES" start
    STOP_SERVICES=1
  fi
  service_passwords
  bench_psql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  rabbit_api PUT "http://127.0.0.1:$MGMT_PORT/api/vhosts/$VHOST" -sSf >/dev/null
  rabbit_api PUT "http://127.0.0.1:$MGMT_PORT/api/permissions/$VHOST/functions" -sSf -H 'content-type: application/json' \
    -d '{"configure":".*","write":".*","read":".*"}' >/dev/null
  POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=functions;Password=$PG_PASSWORD;Database=$DB"
  RABBITMQ="amqp://functions:$RABBIT_PASSWORD@127.0.0.1:$AMQP_PORT/$VHOST"
}
bench_teardown() {
  if ((${#PIDS[@]})); then
    say "stopping ${#PIDS[@]} processes"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "${PIDS[@]}" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
  if [[ -n "${PG_PASSWORD:-}" ]]; then
    bench_psql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null || true
    rabbit_api DELETE "http://127.0.0.1:$MGMT_PORT/api/vhosts/$VHOST" -sf >/dev/null 2>&1 || true
  fi
  if ((STOP_SERVICES)); then "$SERVICES" stop || true; fi
}
# bench_build: the control plane, the worker and the benchmark tool in Release (skipped with --no-build: BUILD=0).
bench_build() {
  ((BUILD)) || return 0
  say "building the control plane, the worker and the benchmark tool (Release)"
  for project in src/Functions.ControlPlane src/Functions.Worker tests/benchmarks/Functions.HttpBench; do
    dotnet build "$project" -c Release -v quiet -nologo -clp:NoSummary >"$OUT/logs/build.log" 2>&1 ||
      die "build of $project failed: $OUT/logs/build.log"
  done
}
bench_psql() { PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U functions -d postgres -v ON_ERROR_STOP=1 -q "$@"; }

# The local services' passwords (deploy/local/services.sh keeps them in its keys folder, made on first use):
# PG_PASSWORD and RABBIT_PASSWORD. rabbit_api METHOD URL [curl arguments]: the RabbitMQ management API, the
# credentials on a config read from a file descriptor, never in curl's arguments.
service_passwords() {
  local keys
  keys="$(realpath -m "${FUNCTIONS_LOCAL_DIR:-$ROOT/.local}")/keys"
  "$ROOT/deploy/local/services.sh" env >/dev/null
  PG_PASSWORD="$(cat "$keys/postgres")" RABBIT_PASSWORD="$(cat "$keys/rabbitmq")"
}
rabbit_api() {
  local method=$1 url=$2
  shift 2
  curl -K <(printf 'user = "functions:%s"\n' "$RABBIT_PASSWORD") -X "$method" "$@" "$url"
}
# A worker's management address (/healthz, /readyz, /metrics; every path on its own port is a function's): its port + 1000.
management() { echo "http://127.0.0.1:$(($1 + 1000))"; }
host() { # host PROJECT NAME PORT ENV...: a platform host from the Release build, on 127.0.0.1:PORT
  local project=$1 name=$2 port=$3
  shift 3
  start "$name" "$ROOT/src/$project/bin/Release/net10.0" env ASPNETCORE_ENVIRONMENT=Production "$@" \
    dotnet "$project.dll" --urls "http://127.0.0.1:$port"
}

# The machine's busy and total jiffies (all cores), for how busy it was during a phase.
cpu_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system CPU of a process, in clock ticks

to_ms() { # 512.00us | 1.38ms | 1.02s | 1.5m → milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
