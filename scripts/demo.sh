#!/usr/bin/env bash
# The demo in one command: builds the console, then the release binary (which embeds it), and
# starts `shanzhi demo` (./shanzhi-demo.db, the Tangshan data, http://127.0.0.1:8080).
# Arguments go to `shanzhi demo` (`--history 0`, `--reload`, `--listen ADDR`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/web.sh
exec cargo run --release -p shanzhi -- demo "$@"
