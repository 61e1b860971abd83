#!/usr/bin/env bash
# The statistics page's time to its first figure in Chromium, against a running server (the demo
# with its year of history: `scripts/demo.sh`): `scripts/bench-dashboard.sh [URL] [RUNS] [USER]`,
# by default http://127.0.0.1:8080, 3 runs, the shift supervisor `zhiban` (the whole city).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/e2e.sh --prepare
[ -f web/node_modules/playwright-core/package.json ] || (cd web && npm ci --no-audit --no-fund)
node web/e2e/bench-dashboard.mjs "${1:-http://127.0.0.1:8080}" "${2:-3}" "${3:-zhiban}"
