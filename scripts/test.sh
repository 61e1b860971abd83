#!/usr/bin/env bash
# Runs every test suite of shanzhi: unit, property, store, API and demo tests, on SQLite and on
# PostgreSQL; schemathesis; S3 against moto; the console's type check, build and browser tests.
# PostgreSQL: $SHANZHI_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
# In CI (CI=true) a missing PostgreSQL, python3 or Node.js is a failure; elsewhere that part is
# skipped and this script says so.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each phase says when it starts, and the end lists how long each took (CI has 30 minutes).
START=$SECONDS; LAST=$SECONDS; TIMES=""
phase() {
  TIMES="$TIMES$(printf '  %4ds  %s' $((SECONDS - LAST)) "$CURRENT")\n"
  LAST=$SECONDS; CURRENT="$1"; echo "== [$(date +%T)] $1"
}
CURRENT="checks"

export SHANZHI_TEST_PG_URL="${SHANZHI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

pg_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    local hostport="${SHANZHI_TEST_PG_URL#*@}"; hostport="${hostport%%/*}"
    pg_isready -q -h "${hostport%%:*}" -p "${hostport##*:}"
  else
    (exec 3<>"/dev/tcp/127.0.0.1/5432") 2>/dev/null
  fi
}

if pg_up; then
  export SHANZHI_REQUIRE_PG=1
  echo "== PostgreSQL: ${SHANZHI_TEST_PG_URL} (each test uses its own schema)"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at ${SHANZHI_TEST_PG_URL}; in CI it is required." >&2
  exit 1
else
  export SHANZHI_REQUIRE_PG=0
  PG_SKIPPED=1
  echo "== PostgreSQL: SKIPPED, no server at ${SHANZHI_TEST_PG_URL}."
  echo "   To include it, start PostgreSQL (trust auth, database 'test') or set SHANZHI_TEST_PG_URL, then rerun."
fi

# The browser and its fonts are installed (network and disk more than CPU) while the Rust build
# takes the cores; the browser phase waits for it.
if command -v npm >/dev/null 2>&1; then
  PREPARE_LOG="$(mktemp)"
  scripts/e2e.sh --prepare >"$PREPARE_LOG" 2>&1 &
  PREPARE_PID=$!
fi

# Clippy checks what the tests build (with the S3 feature when python3 can run its server).
CLIPPY_FEATURES=()
if command -v python3 >/dev/null 2>&1 && python3 -c "import venv" 2>/dev/null; then CLIPPY_FEATURES=(--features shanzhi-app/s3); fi

phase "layering: the domain and the demo generator do no I/O, the API never touches SQL"
for pure in shanzhi-domain shanzhi-demo; do
  if cargo tree -q -p "$pure" -e normal | grep -E '(sqlx|sea-orm|axum|tokio) v'; then
    echo "$pure depends on I/O crates (above)" >&2; exit 1
  fi
done
if cargo tree -q -p shanzhi-api -e normal --depth 1 | grep -E '(sqlx|sea-orm|shanzhi-store) v'; then
  echo "shanzhi-api depends on the database layer directly (above)" >&2; exit 1
fi

phase "clippy: the workspace's lints, warnings as errors"
cargo clippy --workspace --all-targets "${CLIPPY_FEATURES[@]}" -- -D warnings

phase "console: npm ci, type check and build (scripts/web.sh)"
if command -v npm >/dev/null 2>&1; then
  scripts/web.sh
elif [ "${CI:-}" = "true" ]; then
  echo "Node.js 20 and npm are needed for the console; in CI they are required." >&2
  exit 1
else
  WEB_SKIPPED=1
  echo "== console: SKIPPED, no Node.js/npm (install Node.js 20 and rerun)."
fi

# With python3, the suite runs with the `s3` feature beside moto's S3 server (scripts/s3.sh), so
# the S3 attachment test runs in the same build as everything else.
if command -v python3 >/dev/null 2>&1 && python3 -c "import venv" 2>/dev/null; then
  FEATURES=(--features shanzhi-app/s3); UNDER_S3=(scripts/s3.sh)
elif [ "${CI:-}" = "true" ]; then
  echo "python3 with venv is needed for schemathesis and the S3 test; in CI it is required." >&2
  exit 1
else
  FEATURES=(); UNDER_S3=(); S3_SKIPPED=1
fi

phase "cargo build of the tests"
cargo test --workspace --all-targets "${FEATURES[@]}" --no-run
phase "cargo test (all crates, all targets: unit, property, store, API, demo, S3 against moto; benches once in test mode)"
"${UNDER_S3[@]}" cargo test --workspace --all-targets "${FEATURES[@]}"

phase "schemathesis: the live API fuzzed against its OpenAPI document (scripts/schemathesis.sh)"
if command -v python3 >/dev/null 2>&1 && python3 -c "import venv" 2>/dev/null; then
  if [ "${PG_SKIPPED:-0}" = "1" ]; then scripts/schemathesis.sh sqlite; else scripts/schemathesis.sh both; fi
elif [ "${CI:-}" = "true" ]; then
  echo "python3 with venv is needed for schemathesis; in CI it is required." >&2
  exit 1
else
  ST_SKIPPED=1
  echo "== schemathesis: SKIPPED, no python3 with venv (install python3-venv and rerun)."
fi

phase "console in the browser: Chromium driven by playwright-core (scripts/e2e.sh)"
if [ "${WEB_SKIPPED:-0}" = "1" ]; then
  echo "== browser tests: SKIPPED, the console was not built (no Node.js)."
else
  PREPARED=0; wait "$PREPARE_PID" || PREPARED=$?
  cat "$PREPARE_LOG"; rm -f "$PREPARE_LOG"
  if [ "$PREPARED" != 0 ]; then echo "installing the browser failed (above)" >&2; exit 1; fi
  SHANZHI_BIN=target/debug/shanzhi scripts/e2e.sh
fi

phase "done"
printf "== time per phase (total %ds):\n$TIMES" $((SECONDS - START))
if [ "${ST_SKIPPED:-0}" = "1" ]; then
  echo "NOTE: the schemathesis run was SKIPPED (no python3). See above."
fi
if [ "${WEB_SKIPPED:-0}" = "1" ]; then
  echo "NOTE: the console's build and browser tests were SKIPPED (no Node.js). See above."
fi
if [ "${S3_SKIPPED:-0}" = "1" ]; then
  echo "NOTE: the S3 attachment test was SKIPPED (no python3). See above."
fi
if [ "${PG_SKIPPED:-0}" = "1" ]; then
  echo "NOTE: the PostgreSQL half of the store and API suites was SKIPPED (no server). See above."
fi
