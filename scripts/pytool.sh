# Sourced by the scripts that run a Python tool beside a server of ours (schemathesis.sh, s3.sh):
# `python_tool` installs the tool into its own venv under target/ once per version, and WORK (a
# scratch folder) and SERVER_PID (a process to stop) are cleaned up when the script exits.

# python_tool VENV PACKAGE VERSION [PIP-SPEC]
python_tool() {
  local venv="$1" package="$2" version="$3" spec="${4:-$2==$3}"
  # The version is read whole: `grep -q` would close the pipe early, and pipefail would fail it.
  if [ "$("$venv/bin/pip" show "$package" 2>/dev/null | sed -n 's/^Version: //p')" != "$version" ]; then
    echo "== installing $spec into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "$spec"
  fi
}

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
