#!/usr/bin/env bash
# Browser tests of the console (web/e2e/run.mjs): Debian's Chromium, driven by playwright-core,
# against the real binary serving the demo (no history) on a free port. Installs chromium and
# the CJK font (fonts-wqy-microhei, for screenshots with Chinese text) when they are missing.
# Screenshots go to web/e2e/out/. `scripts/e2e.sh --prepare` only installs what is missing (test.sh
# runs it while the Rust build takes the cores).
set -euo pipefail
cd "$(dirname "$0")/.."

# (fc-list is read whole: `grep -q` would close the pipe early, and pipefail would fail it.)
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -i "wenquanyi micro hei" >/dev/null; then
  echo "== installing chromium and fonts-wqy-microhei (Debian packages)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
[ "${1:-}" = "--prepare" ] && exit 0
scripts/web.sh
[ -f web/node_modules/playwright-core/package.json ] || (cd web && npm ci --no-audit --no-fund)
if [ -z "${SHANZHI_BIN:-}" ]; then cargo build -q -p shanzhi; fi
BIN="${SHANZHI_BIN:-target/debug/shanzhi}"
SHANZHI_BIN="$(realpath "$BIN")" node web/e2e/run.mjs
