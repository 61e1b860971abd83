#!/usr/bin/env bash
# Attachments in S3-compatible storage: starts moto's S3 server (PyPI `moto[server]`, pinned) on a
# free local port, makes a bucket, and runs a command with the AWS_* environment pointing at it
# and SHANZHI_TEST_S3_LOCATION set, by default the `s3` feature's test
# (crates/shanzhi-app/tests/s3.rs); scripts/test.sh runs the whole test suite under it.
#
#   scripts/s3.sh [COMMAND ARGS...]
#
# Needs python3 with venv; installs moto into target/moto-venv.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="$PWD/target/moto-venv"
VERSION=5.2.5
source scripts/pytool.sh
python_tool "$VENV" moto "$VERSION" "moto[server]==$VERSION"

# A free port can be taken between choosing it and binding it: try a few.
for attempt in 1 2 3; do
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" > "$WORK/moto.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/moto-api/" && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/moto-api/" && break
  echo "moto did not start on port $PORT (attempt $attempt):" >&2; cat "$WORK/moto.log" >&2
  kill "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  [ "$attempt" = 3 ] && exit 1
done
echo "== moto S3 server at http://127.0.0.1:$PORT"

export AWS_ENDPOINT="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=shanzhi-test AWS_SECRET_ACCESS_KEY=shanzhi-test
curl -sf -X PUT "$AWS_ENDPOINT/shanzhi-test" -o /dev/null
export SHANZHI_TEST_S3_LOCATION="s3://shanzhi-test/attachments" SHANZHI_REQUIRE_S3=1
if [ $# -eq 0 ]; then set -- cargo test -p shanzhi-app --features s3 --test s3; fi
"$@"
