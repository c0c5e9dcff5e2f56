#!/usr/bin/env bash
# Long runs of the property tests (docs/robustness.md): every property of the CGI response parser, the request
# environment and argv, routes and the percent decoder, and the module upload reader, each with N inputs instead of
# its short default (FUNCTIONS_PROPERTY_ITERATIONS), at low priority. Prints one line per property: inputs, time,
# result; a failure prints CsCheck's seed and the shrunk input (replay with CsCheck_Seed=<seed>).
#
#   tests/fuzz/run.sh                      1,000,000 inputs per property, every target
#   tests/fuzz/run.sh --iterations 100000 --only response,routing
#   targets: response, environment, routing, upload, bundles      options: --no-build, --out DIR (default .local/fuzz-<time>)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ITERATIONS=1000000 ONLY="response,environment,routing,upload,bundles" BUILD=1 OUT=""
while (($#)); do
  case $1 in
    --iterations) ITERATIONS=${2:?--iterations needs a number}; shift ;;
    --only) ONLY=${2:?--only needs a list, e.g. response,routing}; shift ;;
    --no-build) BUILD=0 ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
OUT=$(realpath -m "${OUT:-$ROOT/.local/fuzz-$(date +%Y%m%d-%H%M%S)}")
mkdir -p "$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

declare -A PROJECT=(
  [response]=tests/Functions.Wagi.Tests [environment]=tests/Functions.Wagi.Tests [routing]=tests/Functions.Wagi.Tests
  [upload]=tests/Functions.ControlPlane.Tests [bundles]=tests/Functions.Files.Tests)
declare -A CLASS=(
  [response]=Functions.Wagi.Tests.Response.WagiResponseParserProperties
  [environment]=Functions.Wagi.Tests.Request.WagiEnvironmentProperties
  [routing]=Functions.Wagi.Tests.Routing.RoutingProperties
  [upload]=Functions.ControlPlane.Tests.Modules.ModuleUploadReaderProperties
  [bundles]=Functions.Files.Tests.BundleProperties)

IFS=, read -r -a TARGETS <<<"$ONLY"
for target in "${TARGETS[@]}"; do
  [[ -n "${CLASS[$target]:-}" ]] || { echo "run.sh: unknown target '$target' (response, environment, routing, upload, bundles)" >&2; exit 2; }
done
if ((BUILD)); then
  for project in $(printf '%s\n' "${TARGETS[@]}" | while read -r t; do echo "${PROJECT[$t]}"; done | sort -u); do
    nice -n 19 dotnet build "$ROOT/$project" -c Release -v quiet -nologo -clp:NoSummary >"$OUT/build.log" 2>&1 ||
      { echo "run.sh: build of $project failed: $OUT/build.log" >&2; exit 1; }
  done
fi

printf '| target | property | inputs | time | result |\n|---|---|---|---|---|\n' | tee "$OUT/report.md"
status=0
for target in "${TARGETS[@]}"; do
  dll="$ROOT/${PROJECT[$target]}/bin/Release/net10.0/$(basename "${PROJECT[$target]}").dll"
  # One property at a time, so that each gets its own time and a failure names it.
  mapfile -t tests < <(dotnet test "$dll" --list-tests 2>/dev/null | sed -n "s/^ *\(${CLASS[$target]}\.[A-Za-z0-9_]*\).*/\1/p" | sort -u)
  for test in "${tests[@]}"; do
    name=${test##*.}
    log="$OUT/$target-$name.log"
    start=$SECONDS
    if FUNCTIONS_PROPERTY_ITERATIONS=$ITERATIONS nice -n 19 dotnet test "$dll" --filter "FullyQualifiedName=$test" \
      --logger "console;verbosity=normal" >"$log" 2>&1; then
      result=passed
    else
      result="**failed** ($(grep -m1 -o 'Set seed: "[^"]*"' "$log" || echo "see $log"))"
      status=1
    fi
    # Theories (cases pinned by hand) run their own inputs; the properties run ITERATIONS.
    printf '| %s | %s | %s | %d min %02d s | %s |\n' "$target" "$name" "$ITERATIONS" $(((SECONDS - start) / 60)) \
      $(((SECONDS - start) % 60)) "$result" | tee -a "$OUT/report.md"
  done
done
echo "logs and report: $OUT" >&2
exit $status
