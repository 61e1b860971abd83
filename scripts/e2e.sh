#!/usr/bin/env bash
# Browser tests of the console: Debian's Chromium, driven by playwright-core, against the real
# binary on a free port: web/e2e/run.mjs on the demo without history, then web/e2e/roles.mjs, each
# role's daily task from its landing page on the demo with 10,000 cases of history, then
# web/e2e/registers.mjs, the registers of the grid on a phone and a desk; each failing when a
# page shows a raw code where a name belongs (SHANZHI_URL=… runs it against a server already
# running instead; see the top of the file). Installs chromium, the
# CJK font (fonts-wqy-microhei, for screenshots with Chinese text) and a colour emoji font
# (fonts-noto-color-emoji: the resident's problem tiles, as phones show them) when missing.
# Screenshots go to web/e2e/out/. `scripts/e2e.sh --prepare` only installs what is missing (test.sh
# runs it while the Rust build takes the cores).
set -euo pipefail
cd "$(dirname "$0")/.."

# (fc-list is read whole: `grep -q` would close the pipe early, and pipefail would fail it.)
fonts="$(fc-list 2>/dev/null || true)"
if [ ! -x /usr/bin/chromium ] || ! grep -i "wenquanyi micro hei" <<<"$fonts" >/dev/null \
  || ! grep -i "noto color emoji" <<<"$fonts" >/dev/null; then
  echo "== installing chromium, fonts-wqy-microhei and fonts-noto-color-emoji (Debian packages)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-microhei fonts-noto-color-emoji >/dev/null
fi
[ "${1:-}" = "--prepare" ] && exit 0
scripts/web.sh
[ -f web/node_modules/playwright-core/package.json ] || (cd web && npm ci --no-audit --no-fund)
if [ -z "${SHANZHI_BIN:-}" ]; then cargo build -q -p shanzhi; fi
BIN="${SHANZHI_BIN:-target/debug/shanzhi}"
# Both suites run, whichever fails: one run says all that is wrong.
rc=0
SHANZHI_BIN="$(realpath "$BIN")" node web/e2e/run.mjs || rc=$?
SHANZHI_BIN="$(realpath "$BIN")" node web/e2e/roles.mjs || rc=$?
SHANZHI_BIN="$(realpath "$BIN")" node web/e2e/registers.mjs || rc=$?
exit "$rc"
