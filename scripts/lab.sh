#!/usr/bin/env bash
# Set everything up, then open JupyterLab on examples/ with dlmagics active
# (with --notebook7: Notebook 7 instead of JupyterLab).
# Extra arguments go to `jupyter lab` (e.g. --no-browser --port 8890, --ServerApp.root_dir=DIR).
# A second launch with nothing changed starts within seconds (setup.sh skips the install).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app=lab
given=()
for arg in "$@"; do
  if [ "$arg" = --notebook7 ]; then app=notebook; else given+=("$arg"); fi
done
source "$ROOT/scripts/setup.sh"
# Check the extension once per install (the check itself takes seconds).
[ "$INSTALLED_NOW" = 1 ] && jupyter labextension list 2>&1 | grep -E "dlmagics .*enabled.*OK"
args=()
# The course's folder, unless the arguments name another (two would clash: "only one value").
[[ " ${given[*]-} " =~ (--notebook-dir|--ServerApp.root_dir|--ServerApp.notebook_dir)[=\ ] ]] || args+=(--notebook-dir="$ROOT/examples")
# Jupyter refuses to start as root without this ("Running as root is not recommended. Use --allow-root").
[ "$(id -u)" = 0 ] && [[ " ${given[*]-} " != *" --allow-root "* ]] && args+=(--allow-root)
exec jupyter "$app" "${args[@]}" "${given[@]}"
