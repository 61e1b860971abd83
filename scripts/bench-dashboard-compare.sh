#!/usr/bin/env bash
# The statistics page side by side: two builds of shanzhi on copies of one demo folder (a
# `shanzhi demo --no-serve` run: its database, key, search index and files), each served in turn
# and measured by web/e2e/bench-dashboard.mjs (3 page loads), two rounds.
# Usage: scripts/bench-dashboard-compare.sh BASELINE_BIN NEW_BIN DEMO_FOLDER
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 3 ] || { echo "usage: $0 BASELINE_BIN NEW_BIN DEMO_FOLDER" >&2; exit 2; }
base=$(realpath "$1"); new=$(realpath "$2"); demo=$(realpath "$3")
scripts/e2e.sh --prepare
[ -f web/node_modules/playwright-core/package.json ] || (cd web && npm ci --no-audit --no-fund)
# The new build may migrate its database: it gets a copy.
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -r "$demo"/. "$copy"/
run() { # name bin folder port
  (cd "$3" && exec "$2" demo --listen "127.0.0.1:$4" >"$3/serve-$1.log" 2>&1) &
  local pid=$!
  for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$4/healthz" >/dev/null && break; sleep 1; done
  echo "== $1 ($2)"
  node web/e2e/bench-dashboard.mjs "http://127.0.0.1:$4" 3 zhiban
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for round in 1 2; do
  echo "# round $round"
  run baseline "$base" "$demo" 8081
  run new "$new" "$copy" 8082
done
