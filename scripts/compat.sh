#!/usr/bin/env bash
# The prebuilt extension in the JupyterLab and Notebook versions learners have. The wheel is
# built once; for each version a venv gets that version and the wheel (its dependencies but
# torch: the sidebar needs none), then `jupyter labextension list` must say OK, and in Chromium
# a notebook that ran `%load_ext dlmagics` must get the sidebar, connected, and a quiz's answers
# written into its answer cell (ui-tests/compat/).
#   bash scripts/compat.sh [SPEC...]   default: the matrix below; e.g. jupyterlab==4.2.7
# Needs the environment of scripts/setup.sh (source it first, as scripts/test.sh does).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MATRIX=("jupyterlab==4.0.13" "jupyterlab==4.2.7" "jupyterlab==4.4.10" "jupyterlab==4.6.6"
        "notebook==7.0.8" "notebook==7.6.5")
[ $# -gt 0 ] && MATRIX=("$@")
WORK="$ROOT/.compat"
PORT=8899
mkdir -p "$WORK/dist" "$WORK/root"

echo "-- the wheel, built once"
rm -f "$WORK"/dist/*.whl
python -m pip wheel -q --no-deps -w "$WORK/dist" "$ROOT" >"$WORK/wheel.log" 2>&1 || { tail -20 "$WORK/wheel.log"; exit 1; }
WHEEL="$(ls "$WORK"/dist/dlmagics-*.whl)"
# What the kernel needs to load the extension: the wheel's dependencies, torch left out.
DEPS=(ipykernel ipywidgets matplotlib traitlets comm nvidia-ml-py psutil pyyaml)
cat >"$WORK/root/compat.ipynb" <<'NB'
{"cells": [{"cell_type": "code", "execution_count": null, "id": "load", "metadata": {}, "outputs": [],
  "source": ["%load_ext dlmagics"]},
 {"cell_type": "code", "execution_count": null, "id": "answers", "metadata": {"dlmagics": {"answers_for": "why-now"}},
  "outputs": [], "source": ["# the answer cell of a notebook converted for nbgrader"]}],
 "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
 "nbformat": 4, "nbformat_minor": 5}
NB

# Every version's venv at once (measured on 2 cores with two busy processes beside: six at once
# took 102 s, one after another about 250 s), without compiling every module of them ahead (10 s
# less each): a server compiles what it imports. A venv counts once its install finished
# (.installed): one cut short (a timeout, Ctrl-C) is made again, and Ctrl-C ends every install.
echo "-- the venvs"
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
for spec in "${MATRIX[@]}"; do
  name="${spec//==/-}"; venv="$WORK/$name"
  [ -f "$venv/.installed" ] && continue
  rm -rf "$venv"
  (python3 -m venv "$venv" && "$venv/bin/pip" install -q --no-compile "$spec" "${DEPS[@]}" && touch "$venv/.installed") \
    >"$WORK/$name.pip" 2>&1 &
done
wait
trap - INT TERM

failed=()
for spec in "${MATRIX[@]}"; do
  name="${spec//==/-}"
  app="${spec%%==*}"  # jupyterlab or notebook
  venv="$WORK/$name"
  echo "-- $spec"
  if [ ! -f "$venv/.installed" ]; then
    echo "   could not install it: $(grep -m1 -E "^ERROR|Error" "$WORK/$name.pip" | cut -c1-200) (log: $WORK/$name.pip)"
    failed+=("$spec"); continue
  fi
  "$venv/bin/pip" install -q --no-deps --force-reinstall "$WHEEL" >"$WORK/$name.pip" 2>&1
  "$venv/bin/jupyter" labextension list >"$WORK/$name.list" 2>&1 || true
  if ! grep -qE "dlmagics .*enabled.*OK" "$WORK/$name.list"; then
    echo "   jupyter labextension list does not say OK:"; sed 's/^/   /' "$WORK/$name.list"; failed+=("$spec"); continue
  fi
  if [ "$app" = jupyterlab ]; then
    # Each version its own workspace: a layout saved by another version can restore every
    # sidebar section collapsed (JupyterLab's own panels too).
    flavour=lab; options=(--LabApp.expose_app_in_browser=True --LabApp.news_url= --LabApp.workspaces_dir="$venv/workspaces")
  else
    flavour=notebook; options=(--JupyterNotebookApp.expose_app_in_browser=True)
  fi
  "$venv/bin/jupyter" "$flavour" --no-browser --port "$PORT" --ServerApp.token= --ServerApp.password= \
    --ServerApp.root_dir="$WORK/root" --allow-root "${options[@]}" >"$WORK/$name.log" 2>&1 &
  server=$!
  for _ in $(seq 60); do curl -sf "http://localhost:$PORT/api/status" >/dev/null && break; sleep 1; done
  if (cd "$ROOT/ui-tests" && mkdir -p screenshots && COMPAT_URL="http://localhost:$PORT" COMPAT_FLAVOUR=$flavour \
        COMPAT_NAME="$name" jlpm playwright test -c compat.config.js); then :; else failed+=("$spec"); fi
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$WORK/root/.ipynb_checkpoints"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "compat: failed on ${failed[*]}"; exit 1
fi
echo "compat: ${#MATRIX[@]} versions OK"
