#!/usr/bin/env bash
# Local Postgres 15, RabbitMQ and an OCI registry (Debian's docker-registry) for development and tests, run from the machine's Debian packages on
# 127.0.0.1 with their data in the checkout's ignored .local/ folder. No Docker needed.
#
#   deploy/local/services.sh start    install when missing (apt, needs root), start both, wait until ready
#   deploy/local/services.sh stop     stop what this script started; data stays in .local/
#   start and stop take an optional 'postgres', 'rabbitmq' or 'registry' to act on one server only (tests stop a broker of their own)
#   deploy/local/services.sh status   say what is running; exit status 0 when all three answer
#   deploy/local/services.sh env      print export lines for tests and hosts: eval "$(deploy/local/services.sh env)"
#
# Environment: FUNCTIONS_PG_PORT (55432), FUNCTIONS_AMQP_PORT (55672), FUNCTIONS_RABBIT_MGMT_PORT (55673),
# FUNCTIONS_RABBIT_DIST_PORT (55674), FUNCTIONS_RABBIT_NOFILE (65536: the broker's open-file limit, which caps its
# connections, lowered to the hard limit when that is less), FUNCTIONS_REGISTRY_PORT (55000), FUNCTIONS_LOCAL_DIR (<checkout>/.local), FUNCTIONS_SERVICES_DIR (the servers'
# data: FUNCTIONS_LOCAL_DIR, or /var/lib/functions-local/<checkout>-<hash> when the servers' users cannot reach it).
# Progress goes to stderr, so `env` output stays clean for eval.
#
# Security, though both listen on loopback only (other local users must not get in): Postgres asks every client for
# a password (scram-sha-256, its socket in a folder of mode 0700), and the login the hosts and tests use is not a
# superuser (it may create databases). RabbitMQ has no `guest`. The passwords are random, generated once into
# .local/keys/ (mode 0600): postgres-superuser, postgres and rabbitmq (the `functions` login of each), and never
# passed as a command's argument (`ps` shows those to everyone). The registry is anonymous and plain HTTP on loopback:
# a development registry (docs/oci.md), like `docker run registry:2`. A .local/ made by an older version of this script
# (trust, a superuser `functions/functions`, `guest`) is converted at the next start.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="$(realpath -m "${FUNCTIONS_LOCAL_DIR:-$ROOT/.local}")"
PG_PORT="${FUNCTIONS_PG_PORT:-55432}"
AMQP_PORT="${FUNCTIONS_AMQP_PORT:-55672}"
MGMT_PORT="${FUNCTIONS_RABBIT_MGMT_PORT:-55673}"
# RabbitMQ's default distribution port is AMQP port + 20000, past 65535 for a high AMQP port: always set it.
DIST_PORT="${FUNCTIONS_RABBIT_DIST_PORT:-55674}"
RABBIT_NOFILE="${FUNCTIONS_RABBIT_NOFILE:-65536}"
REGISTRY_PORT="${FUNCTIONS_REGISTRY_PORT:-55000}"

# One login name for both servers, each with its own random password (load_secrets).
SERVICE_USER=functions
SERVICE_DB=functions
KEYS_DIR="$LOCAL_DIR/keys"

# Where the servers keep their data. They run as their packages' users (postgres, rabbitmq) when we are root, and
# those users must be able to reach the folder: a checkout in a private folder (/root, a `mktemp -d`, any 0700
# parent) cannot hold it. Then it goes to a per-checkout folder under /var/lib/functions-local, named by a hash of
# the .local path (printed at start; the keys, logs and the rest stay in .local/). FUNCTIONS_SERVICES_DIR overrides
# the choice. Data already in either place keeps it there, so start, stop and status always agree.
reachable_by_service_users() {
  [[ $EUID -eq 0 ]] || return 0
  local dir="$1"
  while [[ ! -e "$dir" ]]; do dir="$(dirname "$dir")"; done
  runuser -u postgres -- test -x "$dir" 2>/dev/null && runuser -u rabbitmq -- test -x "$dir" 2>/dev/null
}
services_dir() {
  if [[ -n "${FUNCTIONS_SERVICES_DIR:-}" ]]; then realpath -m "$FUNCTIONS_SERVICES_DIR"; return; fi
  local fallback
  fallback="/var/lib/functions-local/$(basename "$(dirname "$LOCAL_DIR")")-$(printf '%s' "$LOCAL_DIR" | sha256sum | cut -c1-12)"
  if [[ -d "$LOCAL_DIR/postgres" || -d "$LOCAL_DIR/rabbitmq" ]]; then echo "$LOCAL_DIR"
  elif [[ -d "$fallback" ]]; then echo "$fallback"
  elif ! id postgres >/dev/null 2>&1 || ! id rabbitmq >/dev/null 2>&1 || reachable_by_service_users "$LOCAL_DIR"; then echo "$LOCAL_DIR"
  else echo "$fallback"
  fi
}
SERVICES_DIR="$(services_dir)"
# Every path is absolute from here; the servers' users may not be able to enter the caller's folder (Erlang reads
# its working directory at start and logs eacces errors when it cannot).
cd /

PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR="$SERVICES_DIR/postgres"     # mode 0700, owned by the server's user
PG_SOCKET="$PG_DIR/socket"          # the Unix socket (not /var/run, which we may not own), mode 0700
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"

RABBIT_BIN=/usr/lib/rabbitmq/bin
RABBIT_DIR="$SERVICES_DIR/rabbitmq"
# Named after its port, so two checkouts on different ports can run side by side.
RABBIT_NODE="functions-$AMQP_PORT@localhost"
RABBIT_PID="$RABBIT_DIR/rabbitmq.pid"
RABBIT_LOG="$RABBIT_DIR/start.log"
EPMD_MARK="$RABBIT_DIR/epmd.started-by-us"

# The registry runs as the calling user: it needs no other user's rights, and only this script touches its folder.
REGISTRY_BIN=/usr/bin/docker-registry
REGISTRY_DIR="$SERVICES_DIR/registry"
REGISTRY_PID="$REGISTRY_DIR/registry.pid"
REGISTRY_LOG="$REGISTRY_DIR/registry.log"

say() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# initdb refuses root and the Erlang cookie belongs to one user: as root, run each server as its package's user.
if [[ $EUID -eq 0 ]]; then
  PG_OWNER=postgres
  RABBIT_OWNER=rabbitmq
  PG_AS=(runuser -u postgres --)
  RABBIT_AS=(runuser -u rabbitmq --)
else
  PG_OWNER="$(id -un)"
  RABBIT_OWNER="$(id -un)"
  PG_AS=()
  RABBIT_AS=()
fi
as_postgres() { "${PG_AS[@]}" "$@"; }
as_rabbitmq() { "${RABBIT_AS[@]}" "$@"; }

# ---------------------------------------------------------------------------------------------- helpers

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fails with a message naming whatever already listens on the port.
require_port_free() {
  local port="$1" what="$2" who=""
  if port_open "$port"; then
    who="$(ss -ltnpH "sport = :$port" 2>/dev/null | head -n1 || true)"
    die "port $port ($what) is already in use${who:+: $who}. Stop that program, or pick another port with the variable in deploy/local/services.sh's header."
  fi
}

# A pid file's process is ours when it is alive, not a zombie, and still the program we started (pids get reused).
pid_alive() {
  local pid="${1:-}" program="${2:-}" state
  [[ -n "$pid" ]] || return 1
  state="$(ps -o stat=,comm= -p "$pid" 2>/dev/null)" || return 1
  [[ "$state" != Z* && "$state" == *"$program"* ]]
}

ensure_packages() {
  local missing=()
  dpkg -s postgresql-15 >/dev/null 2>&1 || missing+=(postgresql-15)
  dpkg -s rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
  dpkg -s docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  ((${#missing[@]} == 0)) && return 0
  if [[ $EUID -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]}. Installing them needs root: run 'sudo apt-get install -y ${missing[*]}' (or run this script as root), then try again."
  fi
  say "installing ${missing[*]} with apt (once) ..."
  local apt=(apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}")
  if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >&2; then
    say "apt-get install failed; refreshing the package lists and trying once more"
    DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=600 >&2
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" >&2
  fi
}

# Our folder must be reachable by the service users (a checkout under /root, mode 700, is not).
prepare_dir() {
  local dir="$1" owner="$2"
  mkdir -p "$dir"
  [[ $EUID -eq 0 ]] && chown "$owner:" "$dir"
  if [[ $EUID -eq 0 ]] && ! runuser -u "$owner" -- test -w "$dir"; then
    die "user '$owner' cannot write $dir (a parent folder is not searchable by others?). Set FUNCTIONS_SERVICES_DIR to a folder it can reach, e.g. /var/tmp/functions-local."
  fi
}

# A random password kept in $KEYS_DIR/NAME (0600), made on first use; printed on stdout for $(...).
secret() {
  local file="$KEYS_DIR/$1"
  if [[ ! -s "$file" ]]; then
    (umask 077 && mkdir -p "$KEYS_DIR" && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$file")
  fi
  chmod 700 "$KEYS_DIR" 2>/dev/null || true
  cat "$file"
}
load_secrets() {
  PG_SUPERUSER_PASSWORD="$(secret postgres-superuser)"
  PG_PASSWORD="$(secret postgres)"
  RABBIT_PASSWORD="$(secret rabbitmq)"
}

# ---------------------------------------------------------------------------------------------- postgres

pg_pid() { [[ -f "$PG_DATA/postmaster.pid" ]] && head -n1 "$PG_DATA/postmaster.pid" || true; }
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }
# The socket folder the running server uses (line 5 of postmaster.pid): an older version of this script put it in
# $PG_DIR itself. The password goes through the environment, never the arguments.
pg_socket_dir() { sed -n 5p "$PG_DATA/postmaster.pid" 2>/dev/null | grep . || echo "$PG_SOCKET"; }
pg_psql() {
  PGPASSWORD="$PG_SUPERUSER_PASSWORD" as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$(pg_socket_dir)" -p "$PG_PORT" \
    -U postgres -d postgres "$@"
}
pg_trusts() { as_postgres grep -Eq '^[[:space:]]*[^#[:space:]].*[[:space:]]trust([[:space:]]|$)' "$PG_DATA/pg_hba.conf"; }

# Every client gives a password; the socket's folder (0700) already keeps other local users out.
pg_write_hba() {
  as_postgres tee "$PG_DATA/pg_hba.conf" >/dev/null <<'HBA'
# Written by deploy/local/services.sh at every start; edits are overwritten. No trust: every client gives a password.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
HBA
}

# Idempotent, and the upgrade from an older .local/: the superuser's password, no trust left, and the login the hosts
# and tests use as a plain role that may create databases (tests make one each and drop them WITH (FORCE), which the
# owner may do), with the password from $KEYS_DIR.
pg_secure() {
  if pg_trusts; then
    say "postgres: converting a cluster made by an older services.sh (trust, superuser '$SERVICE_USER') to passwords"
    pg_psql <<SQL
ALTER ROLE postgres PASSWORD '$PG_SUPERUSER_PASSWORD';
SQL
  fi
  pg_write_hba
  pg_psql <<SQL
\set user '$SERVICE_USER'
\set password '$PG_PASSWORD'
\set db '$SERVICE_DB'
SELECT pg_reload_conf() \g /dev/null
SELECT format('CREATE ROLE %I LOGIN', :'user')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', :'user', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
}

pg_start() {
  local pid
  pid="$(pg_pid)"
  if pid_alive "$pid" postgres; then
    if pg_ready; then
      say "postgres: already running (pid $pid) on 127.0.0.1:$PG_PORT, reusing it"
      as_postgres chmod 700 "$PG_DIR"
      pg_secure || die "postgres: cannot log in as its superuser with $KEYS_DIR/postgres-superuser (a .local/keys from another cluster?). Stop it and delete $PG_DIR to start afresh."
      return 0
    fi
    die "postgres from $PG_DATA is running (pid $pid) but does not answer on port $PG_PORT (started with another FUNCTIONS_PG_PORT?). Run '$0 stop' first."
  fi
  if [[ -n "$pid" ]]; then
    say "postgres: removing stale pid file $PG_DATA/postmaster.pid (pid $pid is not running)"
    rm -f "$PG_DATA/postmaster.pid"
  fi
  prepare_dir "$PG_DIR" "$PG_OWNER"
  prepare_dir "$PG_SOCKET" "$PG_OWNER"
  as_postgres chmod 700 "$PG_DIR" "$PG_SOCKET"
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    say "postgres: creating a new cluster in $PG_DATA"
    # The superuser's password through a file only its user can read, removed at once.
    (umask 077 && printf '%s\n' "$PG_SUPERUSER_PASSWORD" | as_postgres tee "$PG_DIR/initdb.pw" >/dev/null)
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth=scram-sha-256 --pwfile="$PG_DIR/initdb.pw" >"$PG_DIR/initdb.log" 2>&1 \
      || { rm -f "$PG_DIR/initdb.pw"; cat "$PG_DIR/initdb.log" >&2; die "initdb failed (log above: $PG_DIR/initdb.log)"; }
    rm -f "$PG_DIR/initdb.pw"
  fi

  # Settings on the command line, so a changed port applies at the next start. fsync off: this server only
  # holds dev and test data; a clean stop keeps it, a power cut may not. Tests create many databases.
  local opts="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCKET -c unix_socket_permissions=0700 -c max_connections=300"
  opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  say "postgres: starting on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
  # setsid: the server must not get the terminal's Ctrl-C; pg_ctl -l keeps it off our stdout.
  if ! setsid --wait "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -o "$opts" -w -t 60 start \
      </dev/null >"$PG_DIR/pg_ctl.log" 2>&1; then
    tail -n 20 "$PG_LOG" >&2 || true
    die "postgres did not start (log above: $PG_LOG)"
  fi
  pg_ready || die "postgres started but does not answer on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
  pg_secure || die "postgres: cannot log in as its superuser with $KEYS_DIR/postgres-superuser (a .local/keys from another cluster?). Stop it and delete $PG_DIR to start afresh."
  say "postgres: ready on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  local pid
  pid="$(pg_pid)"
  if ! pid_alive "$pid" postgres; then
    [[ -n "$pid" ]] && { say "postgres: removing stale pid file (pid $pid is not running)"; rm -f "$PG_DATA/postmaster.pid"; }
    say "postgres: not running"
    return 0
  fi
  say "postgres: stopping (pid $pid)"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
}

pg_status() {
  local pid
  pid="$(pg_pid)"
  if pid_alive "$pid" postgres && pg_ready; then
    echo "postgres: running (pid $pid) on 127.0.0.1:$PG_PORT, data in $PG_DATA"
    return 0
  elif pid_alive "$pid" postgres; then
    echo "postgres: running (pid $pid) but not answering on 127.0.0.1:$PG_PORT"
  elif [[ -n "$pid" ]]; then
    echo "postgres: stopped (stale pid file for pid $pid)"
  else
    echo "postgres: stopped"
  fi
  return 1
}

# ---------------------------------------------------------------------------------------------- rabbitmq

# Everything RabbitMQ reads comes from our folder, never /etc/rabbitmq or /var/lib/rabbitmq. HOME holds the
# Erlang cookie: the server and rabbitmqctl must both see the same one, so both run through here.
RABBIT_ENV=(env
    HOME="$RABBIT_DIR" LANG=C.UTF-8 LC_ALL=C.UTF-8
    ERL_EPMD_ADDRESS=127.0.0.1
    RABBITMQ_NODENAME="$RABBIT_NODE"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="$AMQP_PORT"
    RABBITMQ_DIST_PORT="$DIST_PORT"
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf"
    RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$RABBIT_DIR/advanced.config"
    RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins"
    RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia"
    RABBITMQ_LOG_BASE="$RABBIT_DIR/log"
    RABBITMQ_PID_FILE="$RABBIT_PID")
as_rabbit_env() { "${RABBIT_AS[@]}" "${RABBIT_ENV[@]}" "$@"; }

# rabbitmqctl can hang (e.g. `stop` without a pid file): always bound it.
rabbitmqctl() { as_rabbit_env timeout "${CTL_TIMEOUT:-30}" "$RABBIT_BIN/rabbitmqctl" -n "$RABBIT_NODE" "$@"; }

rabbit_pid() { [[ -f "$RABBIT_PID" ]] && tr -dc '0-9' <"$RABBIT_PID" || true; }
rabbit_ready() { CTL_TIMEOUT=15 rabbitmqctl -q status >/dev/null 2>&1; }

rabbit_write_config() {
  prepare_dir "$RABBIT_DIR" "$RABBIT_OWNER"
  as_rabbitmq chmod 700 "$RABBIT_DIR"
  as_rabbitmq mkdir -p "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
  # The management plugin serves the HTTP API tests use to create virtual hosts; written directly rather than
  # by `rabbitmq-plugins --offline enable rabbitmq_management`, which writes the same line.
  echo '[rabbitmq_management].' | as_rabbitmq tee "$RABBIT_DIR/enabled_plugins" >/dev/null
  as_rabbitmq tee "$RABBIT_DIR/rabbitmq.conf" >/dev/null <<CONF
# Written by deploy/local/services.sh at every start; edits are overwritten.
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
log.file.level = info
# A new node creates this user instead of 'guest'; rabbit_ensure_user then sets the password from .local/keys.
default_user = $SERVICE_USER
default_pass = $(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
CONF
  as_rabbitmq touch "$RABBIT_DIR/rabbitmq-env.conf"
}

rabbit_start() {
  local pid
  pid="$(rabbit_pid)"
  if pid_alive "$pid" beam; then
    if rabbit_ready && port_open "$AMQP_PORT"; then
      say "rabbitmq: already running (pid $pid) on 127.0.0.1:$AMQP_PORT, reusing it"
      rabbit_ensure_user
      return 0
    fi
    die "rabbitmq from $RABBIT_DIR is running (pid $pid) but does not answer on port $AMQP_PORT (started with another FUNCTIONS_AMQP_PORT, or still booting?). Run '$0 stop' first."
  fi
  if [[ -n "$pid" || -f "$RABBIT_PID" ]]; then
    say "rabbitmq: removing stale pid file $RABBIT_PID${pid:+ (pid $pid is not running)}"
    rm -f "$RABBIT_PID"
  fi
  rabbit_write_config
  # epmd (Erlang's port mapper, 4369) is started by the first Erlang node; remember whether that is ours.
  if ! epmd -names >/dev/null 2>&1; then touch "$EPMD_MARK"; fi

  say "rabbitmq: starting node $RABBIT_NODE on 127.0.0.1:$AMQP_PORT, management on :$MGMT_PORT (logs: $RABBIT_DIR/log)"
  # RabbitMQ takes its connection limit from the open-file limit (about 0.9 of it are sockets): runuser's session
  # (pam_limits) starts it at 1,024, so a few hundred workers exhaust it. Raised in the shell that execs the server,
  # to FUNCTIONS_RABBIT_NOFILE (65,536, RabbitMQ's recommendation) or the hard limit when that is lower.
  setsid --wait "${RABBIT_AS[@]}" "${RABBIT_ENV[@]}" RABBIT_NOFILE="$RABBIT_NOFILE" sh -c '
      hard=$(ulimit -Hn); want=$RABBIT_NOFILE
      if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
      ulimit -n "$want" || echo "rabbitmq: could not raise the open-file limit to $want; it stays $(ulimit -n)" >&2
      exec "$0" -detached' "$RABBIT_BIN/rabbitmq-server" </dev/null >"$RABBIT_LOG" 2>&1 \
    || { cat "$RABBIT_LOG" >&2; die "rabbitmq-server did not start (output above)"; }
  # `wait` returns once the node has booted, or fails when the node dies while booting.
  if ! CTL_TIMEOUT=120 rabbitmqctl wait --timeout 90 "$RABBIT_PID" >>"$RABBIT_LOG" 2>&1; then
    tail -n 30 "$RABBIT_DIR/log/$RABBIT_NODE.log" >&2 2>/dev/null || cat "$RABBIT_LOG" >&2
    die "rabbitmq did not become ready (logs: $RABBIT_DIR/log, $RABBIT_LOG)"
  fi
  port_open "$AMQP_PORT" || die "rabbitmq booted but does not listen on 127.0.0.1:$AMQP_PORT (logs: $RABBIT_DIR/log)"
  rabbit_ensure_user
  local tries=0
  until printf 'user = "%s:%s"\n' "$SERVICE_USER" "$RABBIT_PASSWORD" |
      curl -fsS -o /dev/null -K - "http://127.0.0.1:$MGMT_PORT/api/overview"; do
    ((++tries > 30)) && die "rabbitmq management API does not answer on 127.0.0.1:$MGMT_PORT (logs: $RABBIT_DIR/log)"
    sleep 1
  done
  say "rabbitmq: ready on 127.0.0.1:$AMQP_PORT (management http://127.0.0.1:$MGMT_PORT)"
}

# Idempotent, and the upgrade from an older .local/: a named administrator with full rights on the default vhost
# (tests create their own vhosts) and the password from $KEYS_DIR, and no 'guest'. rabbitmqctl reads a password
# left out of its arguments from stdin.
rabbit_ensure_user() {
  local users
  users="$(rabbitmqctl -q list_users 2>/dev/null | awk '{print $1}')"
  if ! grep -qx "$SERVICE_USER" <<<"$users"; then
    printf '%s\n' "$RABBIT_PASSWORD" | rabbitmqctl -q add_user "$SERVICE_USER" >/dev/null
  else
    printf '%s\n' "$RABBIT_PASSWORD" | rabbitmqctl -q change_password "$SERVICE_USER" >/dev/null
  fi
  if grep -qx guest <<<"$users"; then
    say "rabbitmq: deleting the default user 'guest'"
    rabbitmqctl -q delete_user guest >/dev/null
  fi
  rabbitmqctl -q set_user_tags "$SERVICE_USER" administrator >/dev/null
  rabbitmqctl -q set_permissions -p / "$SERVICE_USER" '.*' '.*' '.*' >/dev/null
}

rabbit_stop() {
  local pid
  pid="$(rabbit_pid)"
  if ! pid_alive "$pid" beam; then
    [[ -f "$RABBIT_PID" ]] && { say "rabbitmq: removing stale pid file $RABBIT_PID"; rm -f "$RABBIT_PID"; }
    say "rabbitmq: not running"
  else
    say "rabbitmq: stopping node $RABBIT_NODE (pid $pid)"
    if ! CTL_TIMEOUT=90 rabbitmqctl -q stop "$RABBIT_PID" >/dev/null 2>&1; then
      say "rabbitmq: rabbitmqctl stop failed or timed out; sending SIGTERM to pid $pid"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 30); do pid_alive "$pid" beam || break; sleep 1; done
    fi
    rm -f "$RABBIT_PID"
  fi
  # Only the epmd we started, and only once no node is registered (epmd -kill refuses otherwise).
  if [[ -f "$EPMD_MARK" ]]; then
    if epmd -names 2>/dev/null | grep -q '^name '; then
      say "rabbitmq: leaving epmd running, other Erlang nodes use it"
    else
      epmd -kill >/dev/null 2>&1 || true
    fi
    rm -f "$EPMD_MARK"
  fi
}

rabbit_status() {
  local pid
  pid="$(rabbit_pid)"
  if pid_alive "$pid" beam && rabbit_ready; then
    echo "rabbitmq: running (pid $pid) on 127.0.0.1:$AMQP_PORT, management http://127.0.0.1:$MGMT_PORT, data in $RABBIT_DIR," \
      "open-file limit $(awk '/^Max open files/ {print $4}' "/proc/$pid/limits" 2>/dev/null)"
    return 0
  elif pid_alive "$pid" beam; then
    echo "rabbitmq: running (pid $pid) but not answering"
  elif [[ -f "$RABBIT_PID" ]]; then
    echo "rabbitmq: stopped (stale pid file $RABBIT_PID)"
  else
    echo "rabbitmq: stopped"
  fi
  return 1
}

# ---------------------------------------------------------------------------------------------- registry

registry_pid() { [[ -f "$REGISTRY_PID" ]] && tr -dc '0-9' <"$REGISTRY_PID" || true; }
# Any answer to GET /v2/ means the distribution API is served.
registry_ready() { [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$REGISTRY_PORT/v2/")" =~ ^(200|401)$ ]]; }

registry_start() {
  local pid
  pid="$(registry_pid)"
  if pid_alive "$pid" docker-registry; then
    registry_ready && { say "registry: already running (pid $pid) on 127.0.0.1:$REGISTRY_PORT, reusing it"; return 0; }
    die "the registry from $REGISTRY_DIR is running (pid $pid) but does not answer on port $REGISTRY_PORT (started with another FUNCTIONS_REGISTRY_PORT?). Run '$0 stop registry' first."
  fi
  [[ -n "$pid" ]] && { say "registry: removing stale pid file (pid $pid is not running)"; rm -f "$REGISTRY_PID"; }
  mkdir -p "$REGISTRY_DIR/data"
  chmod 700 "$REGISTRY_DIR"
  cat >"$REGISTRY_DIR/config.yml" <<CONF
# Written by deploy/local/services.sh at every start; edits are overwritten.
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
  secret: $(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
CONF
  say "registry: starting on 127.0.0.1:$REGISTRY_PORT (log: $REGISTRY_LOG)"
  # setsid: the server must not get the terminal's Ctrl-C. In a script (no job control) setsid execs in place,
  # so $! is the registry's own pid.
  setsid "$REGISTRY_BIN" serve "$REGISTRY_DIR/config.yml" </dev/null >>"$REGISTRY_LOG" 2>&1 &
  echo $! >"$REGISTRY_PID"
  local tries=0
  until registry_ready; do
    pid_alive "$(registry_pid)" docker-registry || { tail -n 20 "$REGISTRY_LOG" >&2; die "the registry exited at start (log above: $REGISTRY_LOG)"; }
    ((++tries > 60)) && die "the registry does not answer on 127.0.0.1:$REGISTRY_PORT (log: $REGISTRY_LOG)"
    sleep 0.5
  done
  say "registry: ready on 127.0.0.1:$REGISTRY_PORT"
}

registry_stop() {
  local pid
  pid="$(registry_pid)"
  if ! pid_alive "$pid" docker-registry; then
    [[ -n "$pid" ]] && rm -f "$REGISTRY_PID"
    say "registry: not running"
    return 0
  fi
  say "registry: stopping (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do pid_alive "$pid" docker-registry || break; sleep 0.2; done
  pid_alive "$pid" docker-registry && kill -9 "$pid" 2>/dev/null
  rm -f "$REGISTRY_PID"
}

registry_status() {
  local pid
  pid="$(registry_pid)"
  if pid_alive "$pid" docker-registry && registry_ready; then
    echo "registry: running (pid $pid) on 127.0.0.1:$REGISTRY_PORT, data in $REGISTRY_DIR"
    return 0
  elif pid_alive "$pid" docker-registry; then
    echo "registry: running (pid $pid) but not answering on 127.0.0.1:$REGISTRY_PORT"
  else
    echo "registry: stopped"
  fi
  return 1
}

# ---------------------------------------------------------------------------------------------- commands

print_env() {
  local cred="$SERVICE_USER:$RABBIT_PASSWORD"
  cat <<ENV
export FUNCTIONS_TEST_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=$SERVICE_USER;Password=$PG_PASSWORD;Database=postgres'
export FUNCTIONS_TEST_RABBITMQ='amqp://$cred@127.0.0.1:$AMQP_PORT/'
export FUNCTIONS_TEST_RABBITMQ_MANAGEMENT='http://$cred@127.0.0.1:$MGMT_PORT'
export ConnectionStrings__Postgres='Host=127.0.0.1;Port=$PG_PORT;Username=$SERVICE_USER;Password=$PG_PASSWORD;Database=$SERVICE_DB'
export ConnectionStrings__RabbitMq='amqp://$cred@127.0.0.1:$AMQP_PORT/'
export FUNCTIONS_TEST_LOCAL_SERVICES=1
ENV
  # Only a registry that answers: otherwise tests start one of their own rather than fail on a dead address.
  if registry_ready; then
    cat <<ENV
export FUNCTIONS_TEST_REGISTRY='127.0.0.1:$REGISTRY_PORT'
export FUNCTIONS_REGISTRY='127.0.0.1:$REGISTRY_PORT'
ENV
  fi
}

# Before starting anything: every port a server of ours will need must be free, so a conflict never leaves one
# server started and the other not.
preflight() {
  if [[ ( -z "$ONLY" || "$ONLY" == postgres ) ]] && ! pid_alive "$(pg_pid)" postgres; then
    require_port_free "$PG_PORT" "FUNCTIONS_PG_PORT, postgres"
  fi
  if [[ ( -z "$ONLY" || "$ONLY" == registry ) ]] && ! pid_alive "$(registry_pid)" docker-registry; then
    require_port_free "$REGISTRY_PORT" "FUNCTIONS_REGISTRY_PORT, registry"
  fi
  if [[ ( -z "$ONLY" || "$ONLY" == rabbitmq ) ]] && ! pid_alive "$(rabbit_pid)" beam; then
    require_port_free "$AMQP_PORT" "FUNCTIONS_AMQP_PORT, rabbitmq AMQP"
    require_port_free "$MGMT_PORT" "FUNCTIONS_RABBIT_MGMT_PORT, rabbitmq management"
    require_port_free "$DIST_PORT" "FUNCTIONS_RABBIT_DIST_PORT, rabbitmq distribution"
    if epmd -names 2>/dev/null | grep -q "^name ${RABBIT_NODE%@*} "; then
      die "an Erlang node named $RABBIT_NODE is already running, not started from $LOCAL_DIR (another checkout's services?). Stop it with that checkout's deploy/local/services.sh stop, or use other ports."
    fi
  fi
}

ONLY="${2:-}"
case "$ONLY" in
  ""|postgres|rabbitmq|registry) ;;
  *) echo "usage: $0 start|stop [postgres|rabbitmq|registry]" >&2; exit 2 ;;
esac

case "${1:-}" in
  start)
    ensure_packages
    preflight
    mkdir -p "$LOCAL_DIR"
    if [[ "$SERVICES_DIR" != "$LOCAL_DIR" ]]; then
      [[ -n "${FUNCTIONS_SERVICES_DIR:-}" ]] || install -d -m 755 "$(dirname "$SERVICES_DIR")" "$SERVICES_DIR"
      mkdir -p "$SERVICES_DIR"
      printf '%s\n' "$LOCAL_DIR" >"$SERVICES_DIR/checkout"
      say "the servers' data is in $SERVICES_DIR (users postgres and rabbitmq cannot reach $LOCAL_DIR; FUNCTIONS_SERVICES_DIR overrides)"
    fi
    load_secrets
    [[ -n "$ONLY" && "$ONLY" != postgres ]] || pg_start
    [[ -n "$ONLY" && "$ONLY" != rabbitmq ]] || rabbit_start
    [[ -n "$ONLY" && "$ONLY" != registry ]] || registry_start
    ;;
  stop)
    [[ -n "$ONLY" && "$ONLY" != registry ]] || registry_stop
    [[ -n "$ONLY" && "$ONLY" != rabbitmq ]] || rabbit_stop
    [[ -n "$ONLY" && "$ONLY" != postgres ]] || pg_stop
    ;;
  status)
    # Exit status 0 only when every server is running and answering.
    status=0
    pg_status || status=1
    rabbit_status || status=1
    registry_status || status=1
    exit "$status"
    ;;
  env)
    load_secrets
    print_env
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
