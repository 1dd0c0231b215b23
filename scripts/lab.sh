#!/usr/bin/env bash
# Set everything up, then open JupyterLab on examples/ with dlmagics active.
# Extra arguments go to `jupyter lab` (e.g. --no-browser --port 8890).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
jupyter labextension list 2>&1 | grep -E "dlmagics .*enabled.*OK"
args=(--notebook-dir="$ROOT/examples")
[ "$(id -u)" = 0 ] && args+=(--allow-root)
exec jupyter lab "${args[@]}" "$@"
