#!/usr/bin/env bash
# Set up everything dlmagics needs, idempotently: a virtual environment (.venv) with
# PyTorch, dlmagics (its JupyterLab extension built and shipped inside the wheel) and
# the test tools, and the Node packages of the extension.
# Usage: source scripts/setup.sh   (or run it; scripts/lab.sh and scripts/test.sh call it)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DLMAGICS_VENV:-$ROOT/.venv}"
# These machines carry a CPU build of torch 2.13.0 for pip; a bare "torch" would pull
# several GB of CUDA packages. Elsewhere set DLMAGICS_TORCH to the build you want.
TORCH="${DLMAGICS_TORCH:-torch==2.13.0}"

# Each step says when it began (seconds since the start), so a slow CI run shows where it went.
step() { printf '\n== %s  (at %ss)\n' "$*" "$SECONDS"; }

command -v node >/dev/null || { echo "setup: Node.js (>= 18) is needed to build the extension" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  step "virtual environment $VENV"
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"

if ! "$PY" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)" 2>/dev/null; then
  step "PyTorch ($TORCH)"
  "$PY" -m pip install -q "$TORCH"
fi

# The built extension is reused by pip (skip-if-exists); drop it when its sources changed.
BUILT="$ROOT/dlmagics/labextension/package.json"
if [ -f "$BUILT" ] && [ -n "$(find "$ROOT/labextension" "$ROOT/package.json" "$ROOT/yarn.lock" -newer "$BUILT" -print -quit)" ]; then
  rm -rf "$ROOT/dlmagics/labextension"
fi

# Installed once per change: a second launch with nothing changed skips pip (about a minute)
# and jlpm. The stamp records the last install; any newer source file means install again.
STAMP="$VENV/.dlmagics-installed"
changed_since_install() {
  [ ! -f "$STAMP" ] || [ -n "$(find "$ROOT/dlmagics" "$ROOT/labextension" "$ROOT/pyproject.toml" "$ROOT/package.json" \
    "$ROOT/yarn.lock" "$ROOT/README.md" -newer "$STAMP" -not -path "$ROOT/dlmagics/labextension/*" \
    -not -name "*.pyc" -not -name __pycache__ -print -quit)" ]
}
INSTALLED_NOW=0
if changed_since_install; then
  INSTALLED_NOW=1
  step "dlmagics and its test tools (builds the JupyterLab extension when needed)"
  "$PY" -m pip install -q "$ROOT[test]"
  # nbgrader, a test tool (the tests drive its command line), brings its own Lab extension and
  # server extensions: off here, so the Lab the browser tests drive has dlmagics's sidebar alone.
  jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
  for part in formgrader validate_assignment assignment_list course_list; do
    jupyter server extension disable --sys-prefix "nbgrader.server_extensions.$part" >/dev/null 2>&1
  done

  step "Node packages of the extension"
  (cd "$ROOT" && YARN_ENABLE_IMMUTABLE_INSTALLS=1 jlpm install >/dev/null)
  touch "$STAMP"
else
  step "dlmagics is installed and up to date (nothing changed since $(date -r "$STAMP" '+%F %T'))"
fi
