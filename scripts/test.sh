#!/usr/bin/env bash
# Set everything up (Debian's Chromium included) and run every test: pytest (magics,
# monitor, channel, real-kernel end-to-end, notebooks), jest (sidebar model), the
# prebuilt-extension check, Galata in Chromium, and the extension in older JupyterLab and
# Notebook versions (scripts/compat.sh).
#   bash scripts/test.sh --repeat N   the pytest suite N times, then every test that ever failed
#                                     (a test that fails by chance shows up here, not in CI)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEAT=0
if [ "${1:-}" = "--repeat" ]; then
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bash scripts/test.sh [--repeat N]   (N a whole number, 1 or more)" >&2; exit 2; }
  REPEAT=$2
elif [ $# -gt 0 ]; then
  echo "usage: bash scripts/test.sh [--repeat N]" >&2; exit 2
fi
source "$ROOT/scripts/setup.sh"
# Torch's CPU threads spin only briefly (1,000 turns, not 300,000) before they sleep while they
# wait for each other: beside other busy processes (CI's), long spins hold the cores their
# partners need. Measured with two busy processes beside: notebook 07's demos 15.5 s -> 1.3 s,
# the doctor's corpus and %%train's tests 138 s -> 56 s; on an idle machine 22.7 s -> 24.3 s
# (sleeping at once, OMP_WAIT_POLICY=PASSIVE: 58 s and 34 s). Every test's process and kernel
# inherits it: pytest's, Galata's and compat's servers'.
export GOMP_SPINCOUNT=1000
PYTEST=(python -m pytest -q tests --durations=15)

if [ "$REPEAT" -gt 0 ]; then
  failures="$(mktemp)"
  for i in $(seq "$REPEAT"); do
    step "pytest, run $i of $REPEAT"
    (cd "$ROOT" && "${PYTEST[@]}" -rf -p no:cacheprovider) | tee /dev/stderr | sed -n 's/^FAILED \([^ ]*\).*/\1/p' >>"$failures" || true
  done
  if [ -s "$failures" ]; then
    printf '\nfailed at least once (times, test) in %d runs:\n' "$REPEAT"; sort "$failures" | uniq -c | sort -rn
    exit 1
  fi
  printf '\nno test failed in %d runs\n' "$REPEAT"
  exit 0
fi

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  step "Debian's Chromium (for the browser tests)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

step "Node packages of the browser tests"
(cd "$ROOT/ui-tests" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 YARN_ENABLE_IMMUTABLE_INSTALLS=1 jlpm install >/dev/null)

passed=0; failed=0
run() {  # run NAME COMMAND...: a suite; keep going, count the result
  step "$1"
  if (cd "$ROOT" && "${@:2}"); then passed=$((passed + 1)); else failed=$((failed + 1)); echo "** $1 FAILED"; fi
}

run "the extension is prebuilt and enabled" bash -c 'jupyter labextension list 2>&1 | grep -E "dlmagics .*enabled.*OK"'
run "jest: sidebar model and protocol" jlpm jest
run "pytest: magics, monitor, channel, kernel end-to-end, notebooks" "${PYTEST[@]}"
run "Galata: the sidebar in Chromium" bash -c 'cd ui-tests && mkdir -p screenshots && CI=${CI:-} jlpm playwright test'
run "compat: the extension in JupyterLab 4.0-4.6 and Notebook 7.0-7.6" bash scripts/compat.sh

printf '\nsuites: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
