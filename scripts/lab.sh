#!/usr/bin/env bash
# Set everything up, then open JupyterLab on examples/ with dlmagics active.
# Extra arguments go to `jupyter lab` (e.g. --no-browser --port 8890, --ServerApp.root_dir=DIR).
# A second launch with nothing changed starts within seconds (setup.sh skips the install).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
# Check the extension once per install (the check itself takes seconds).
[ "$INSTALLED_NOW" = 1 ] && jupyter labextension list 2>&1 | grep -E "dlmagics .*enabled.*OK"
args=()
# The course's folder, unless the arguments name another (two would clash: "only one value").
[[ " $* " =~ (--notebook-dir|--ServerApp.root_dir|--ServerApp.notebook_dir)[=\ ] ]] || args+=(--notebook-dir="$ROOT/examples")
[ "$(id -u)" = 0 ] && [[ " $* " != *" --allow-root "* ]] && args+=(--allow-root)
exec jupyter lab "${args[@]}" "$@"
