#!/usr/bin/env bash
# Builds the web console (web/) into web/dist: `npm ci` from package-lock.json when node_modules
# is missing or stale, then the wire types generated from the API's OpenAPI snapshot
# (openapi-typescript → web/src/generated/api.ts, not committed), the type check (vue-tsc) and
# `vite build`. Needs Node.js 20.19+ and npm.
# Debug builds of shanzhi read web/dist from disk; release builds embed it (build after this).
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1; then
  echo "Node.js 20.19 or later and npm are needed to build the console (web/)." >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci (web/)"
  npm ci --no-audit --no-fund
fi
# Built already when the build is newer than everything it is made from (e2e.sh asks again).
inputs=(src index.html package.json package-lock.json tsconfig.json vite.config.ts node_modules/.package-lock.json
  ../crates/shanzhi-api/tests/openapi.snapshot.json)
if [ -f dist/index.html ] && [ -z "$(find "${inputs[@]}" -newer dist/index.html -print -quit)" ]; then
  echo "== the console (web/dist) is up to date"
  exit 0
fi
echo "== building the console (web/dist)"
npm run build
