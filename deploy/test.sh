#!/usr/bin/env bash
# Runs every test of every test project against real Postgres and RabbitMQ, and ends with one line:
# `N passed, N failed`. Exit status 0 only when nothing failed and everything built.
#
# Services, first that applies:
#   1. FUNCTIONS_TEST_POSTGRES and FUNCTIONS_TEST_RABBITMQ already set: used as they are.
#   2. A Docker engine answers: the tests start containers themselves (Testcontainers).
#   3. Otherwise deploy/local/services.sh starts local servers (installing them with apt when missing) and they
#      are stopped again at the end, unless they were already running or FUNCTIONS_KEEP_SERVICES=1.
# The OCI registry tests use the registry FUNCTIONS_TEST_REGISTRY names (services.sh env sets it when its registry
# answers); otherwise each test process starts Debian's docker-registry itself (tests/Functions.Testing/Registry).
# TRX results: .local/test-results/ (FUNCTIONS_LOCAL_DIR moves .local). Extra arguments go to `dotnet test`,
# e.g. ./deploy/test.sh --filter "FullyQualifiedName~Wagi".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
LOCAL_DIR="$(realpath -m "${FUNCTIONS_LOCAL_DIR:-$ROOT/.local}")"
RESULTS="$LOCAL_DIR/test-results"
SERVICES="$ROOT/deploy/local/services.sh"
STOP_SERVICES=0
SUMMARY=""

say() { printf '[test] %s\n' "$*" >&2; }

# Whatever happens, stop what we started, and let the summary be the very last line.
finish() {
  local status=$?
  trap - EXIT INT TERM
  if ((STOP_SERVICES)); then
    "$SERVICES" stop >&2 || say "could not stop the local services; run $SERVICES stop"
  fi
  if [[ -z "$SUMMARY" ]]; then
    say "stopped before any test ran (exit status $status)"
    SUMMARY="0 passed, 1 failed"
    ((status != 0)) || status=1
  fi
  printf '%s\n' "$SUMMARY"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

command -v dotnet >/dev/null || { say "the .NET SDK (dotnet, version in global.json) is needed: https://dot.net"; exit 1; }

# --- services -----------------------------------------------------------------------------------
if [[ -n "${FUNCTIONS_TEST_POSTGRES:-}" && -n "${FUNCTIONS_TEST_RABBITMQ:-}" ]]; then
  say "using the servers in FUNCTIONS_TEST_POSTGRES and FUNCTIONS_TEST_RABBITMQ"
elif command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then
  say "a Docker engine answers: Testcontainers starts Postgres and RabbitMQ"
else
  if "$SERVICES" status >/dev/null 2>&1; then
    say "local services already running: using them and leaving them running"
  else
    say "no Docker engine: starting local Postgres and RabbitMQ ($SERVICES start)"
    [[ "${FUNCTIONS_KEEP_SERVICES:-0}" == 1 ]] || STOP_SERVICES=1
    "$SERVICES" start
  fi
  eval "$("$SERVICES" env)"
fi

# --- fixtures (the tests build them too; once here keeps the first tests from waiting) ----------
if [[ -x tests/fixtures/build.sh ]]; then
  say "building the WebAssembly fixtures (tests/fixtures/build.sh)"
  tests/fixtures/build.sh >&2 || say "tests/fixtures/build.sh failed: the tests that need fixtures will say why"
fi

# --- browser for the Swagger UI tests: Debian's Chromium (Playwright cannot download its own here) ---
if [[ ! -x /usr/bin/chromium && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  say "installing chromium for the browser tests (apt-get, once)"
  apt=(apt-get install -y -o DPkg::Lock::Timeout=600 chromium)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=600 >/dev/null &&
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null; } ||
    say "could not install chromium: the browser tests will be skipped, saying so"
fi

# --- the offline Kubernetes manifest check (KubernetesSchemaTests): kubectl (kustomize) and node + npm ---
missing=()
command -v kubectl >/dev/null || missing+=(kubectl)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})) && [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  say "installing ${missing[*]} for the Kubernetes manifest check (apt-get, once)"
  apt=(apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}")
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=600 >/dev/null &&
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null; } ||
    say "could not install ${missing[*]}: the Kubernetes manifest check will be skipped, saying so"
fi

# --- tests --------------------------------------------------------------------------------------
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
say "dotnet test Functions.sln (TRX results in $RESULTS)"
test_status=0
# A hung test is killed (and counted failed) instead of holding the run past its time budget.
dotnet test Functions.sln --logger trx --results-directory "$RESULTS" \
  --blame-hang-timeout 10m --blame-hang-dump-type none "$@" || test_status=$?

# --- summary: every TRX file's <Counters>, one file per test project ----------------------------
counter() { { grep -o "<Counters [^>]*>" "$1" | grep -o " $2=\"[0-9]*\"" | tr -dc '0-9'; } || true; }
project_name() {
  { grep -o -m1 'Discovering: [^ <]*' "$1" | sed 's/Discovering: //'; } ||
    { grep -o -m1 -E "source\(s\) '[^']*" "$1" | sed -E 's#.*/##; s/\.dll$//'; } || basename "$1"
}
passed=0 failed=0 skipped=0 projects=0
shopt -s nullglob
for trx in "$RESULTS"/*.trx; do
  p=$(counter "$trx" passed) f=$(counter "$trx" failed) e=$(counter "$trx" error)
  t=$(counter "$trx" timeout) a=$(counter "$trx" aborted)
  # xunit's skipped tests are in total but not in executed (its notExecuted stays 0).
  n=$(( $(counter "$trx" total) - $(counter "$trx" executed) ))
  bad=$((${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  projects=$((projects + 1))
  passed=$((passed + ${p:-0}))
  failed=$((failed + bad))
  skipped=$((skipped + ${n:-0}))
  say "$(printf '%-32s %4d passed, %3d failed, %3d skipped' "$(project_name "$trx")" "${p:-0}" "$bad" "${n:-0}")"
done
if ((test_status != 0 && failed == 0)); then
  # dotnet test failed without a failed test to show for it: a build error or a crashed test host.
  say "dotnet test failed (exit status $test_status) beyond the counted tests: a build error or a crashed test host (see above); counted as 1 failed"
  failed=1
fi
((skipped == 0)) || echo "$skipped skipped (not counted below)"
echo "($projects test projects reported)"
SUMMARY="$passed passed, $failed failed"
((failed == 0))
