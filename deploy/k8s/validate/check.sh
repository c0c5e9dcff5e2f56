#!/usr/bin/env bash
# Renders every kustomization under deploy/k8s (base and overlays) with `kubectl kustomize` and validates the
# result offline against the Kubernetes API types (validate.mjs), so a typo in a field fails.
#   deploy/k8s/validate/check.sh [KUSTOMIZATION-DIR...]   (default: every folder with a kustomization.yaml)
# The npm packages (package.json, pinned) are installed once into $FUNCTIONS_LOCAL_DIR/k8s-validate (.local/).
# Needs kubectl (Debian/apt package `kubectl`) and node + npm; deploy/test.sh installs them with apt when missing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CACHE="$(realpath -m "${FUNCTIONS_LOCAL_DIR:-$ROOT/.local}")/k8s-validate"
for tool in kubectl node npm; do
  command -v "$tool" >/dev/null || { echo "check.sh: $tool is needed (apt-get install kubectl nodejs npm)" >&2; exit 3; }
done
mkdir -p "$CACHE"
if ! cmp -s "$HERE/package.json" "$CACHE/package.json" || [[ ! -d "$CACHE/node_modules/kubernetes-models" ]]; then
  cp "$HERE/package.json" "$CACHE/package.json"
  (cd "$CACHE" && npm install --no-audit --no-fund --loglevel=error >&2) || { echo "check.sh: npm install failed in $CACHE" >&2; exit 3; }
fi
cp "$HERE/validate.mjs" "$CACHE/validate.mjs"

if (($#)); then dirs=("$@"); else
  mapfile -t dirs < <(find "$ROOT/deploy/k8s" -name kustomization.yaml -not -path '*/node_modules/*' -printf '%h\n' | sort)
fi
status=0
for dir in "${dirs[@]}"; do
  rendered="$(mktemp)"
  if kubectl kustomize "$dir" >"$rendered"; then
    node "$CACHE/validate.mjs" "$rendered" "${dir#"$ROOT/"}" || status=1
  else
    echo "${dir#"$ROOT/"}: kubectl kustomize failed" >&2
    status=1
  fi
  rm -f "$rendered"
done
exit "$status"
