#!/usr/bin/env bash
# Fuzzes the live HTTP API with schemathesis (PyPI) against its own OpenAPI document, once on
# SQLite and once on PostgreSQL: no server error, every status code, content type and JSON body as
# documented. The Tangshan demo (no history) is loaded, and the run uses the city administrator's
# API key, so every operation is reachable.
#
#   scripts/schemathesis.sh [sqlite|postgres|both]     (default both; postgres needs a server)
#
# Environment: SHANZHI_BIN (default target/debug/shanzhi, built if missing), SCHEMATHESIS_EXAMPLES
# (examples per operation, default 25), SHANZHI_TEST_PG_URL (as scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

WHICH="${1:-both}"
BIN="${SHANZHI_BIN:-target/debug/shanzhi}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-25}"
PG_URL="${SHANZHI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
VENV="$PWD/target/schemathesis-venv"
VERSION=4.32.5

[ -x "$BIN" ] || cargo build -p shanzhi
BIN="$(realpath "$BIN")"
source scripts/pytool.sh
python_tool "$VENV" schemathesis "$VERSION"

# fuzz PORT KEY [OPERATION FILTERS...]
fuzz() {
  local port="$1" key="$2"; shift 2
  # Run from the scratch folder (see `run`), so schemathesis's own files stay out of the checkout.
  # The event stream never ends, so it cannot be fuzzed request by request (tests/events.rs reads it).
  # One worker: with two threads, Python 3.11's ast.parse inside hypothesis once crashed the run
  # ("AST constructor recursion depth mismatch"), a fault of the tool, not a finding.
  ("$VENV/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" "$@" --exclude-path /api/v1/events \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" --seed 1302 --workers 1 --generation-database none \
    --suppress-health-check all \
    -H "X-API-Key: $key")
}

# run NAME DB-ARGS...: load the demo, make a key, serve, fuzz, stop.
run() {
  local name="$1"; shift
  # The server keeps its attachments under the working directory: the scratch folder.
  mkdir -p "$WORK/$name" && cd "$WORK/$name"
  echo "== schemathesis on $name ($EXAMPLES examples per operation)"
  export SHANZHI_ADMIN_PASSWORD="Schemathesis@2026"
  "$BIN" "$@" demo --no-serve --history 0 >"$WORK/$name-load.log" 2>&1 || { cat "$WORK/$name-load.log"; return 1; }
  local key
  key="$("$BIN" "$@" apikey create --name "schemathesis-$name" --scope full --user admin 2>/dev/null | grep -o 'szk_[A-Za-z0-9_-]*' | head -n 1)"
  [ -n "$key" ] || { echo "no API key was printed" >&2; return 1; }
  # Port 0: the system picks a free port, and the server's first line says which.
  "$BIN" "$@" serve --listen "127.0.0.1:0" >"$WORK/$name-server.log" 2>&1 &
  SERVER_PID=$!
  local up=0 port=""
  for _ in $(seq 1 120); do
    port="$(grep -o 'serving .* at http://127\.0\.0\.1:[0-9]*' "$WORK/$name-server.log" 2>/dev/null | grep -o '[0-9]*$' || true)"
    [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { up=1; break; }
    sleep 0.5
  done
  if [ "$up" != 1 ]; then
    echo "-- the server ($name) did not answer /healthz within a minute; its log:"; cat "$WORK/$name-server.log"
    kill "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    return 1
  fi
  # The operations that end the run's own credentials (logout, password, key revocation) go
  # last, in a second pass, so that they do not lock the first pass out.
  local enders=(--include-name "POST /api/v1/auth/logout" --include-name "POST /api/v1/auth/password"
                --include-name "DELETE /api/v1/admin/api-keys/{name}")
  local status=0
  fuzz "$port" "$key" "${enders[@]/--include-name/--exclude-name}" || status=$?
  [ "$status" = 0 ] && { fuzz "$port" "$key" "${enders[@]}" || status=$?; }
  kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  if [ "$status" != 0 ]; then
    echo "-- server log ($name), last lines:"; tail -n 40 "$WORK/$name-server.log"
    return "$status"
  fi
}

sqlite() { run sqlite --db "sqlite://$WORK/st.db"; }
postgres() {
  local schema="st_$$" status=0
  # Personal data on PostgreSQL is sealed: the server refuses to start without a data key.
  SHANZHI_DATA_KEY="$("$BIN" datakey 2>/dev/null)"; export SHANZHI_DATA_KEY
  run postgres --db "$PG_URL" --db-schema "$schema" || status=$?
  psql "$PG_URL" -q -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  return "$status"
}

case "$WHICH" in
  sqlite) sqlite ;;
  postgres) postgres ;;
  both)
    # Both at once, each with its own server, into its own log shown when both are done: one
    # schemathesis worker per backend keeps both cores busy.
    for db in sqlite postgres; do
      ( trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null' EXIT; "$db" ) >"$WORK/$db.out" 2>&1 &
      eval "PID_$db=\$!"
    done
    status=0
    wait "$PID_sqlite" || status=$?
    wait "$PID_postgres" || status=$?
    cat "$WORK/sqlite.out" "$WORK/postgres.out"
    exit "$status"
    ;;
  *) echo "usage: scripts/schemathesis.sh [sqlite|postgres|both]" >&2; exit 2 ;;
esac
