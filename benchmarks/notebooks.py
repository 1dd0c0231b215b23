"""How long each example notebook takes, run headless as CI runs it (nbclient, CPU).

Goal: all of them together within 10 minutes on 2 cores. The time of each notebook is
printed with its share of the total, so the slow one is easy to find. The quiz store goes
to a temporary file, so a run leaves the learner's own progress alone.

    python benchmarks/notebooks.py [--only NAME,NAME] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GOAL_S = 600.0


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated notebook names (a prefix is enough)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for each kernel (default 2, as CI)")
    args = parser.parse_args()
    wanted = [w for w in args.only.split(",") if w]
    paths = [p for p in sorted(EXAMPLES.glob("*.ipynb")) if not wanted or any(p.name.startswith(w) for w in wanted)]
    if not paths:
        print(f"no notebook matches {args.only!r}; there are: {', '.join(p.name for p in EXAMPLES.glob('*.ipynb'))}")
        return 2
    os.environ.update(OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads),
                      DLMAGICS_QUIZ_STORE=str(Path(tempfile.mkdtemp()) / "progress.jsonl"))
    times = {}
    for path in paths:
        times[path.name] = run(path)
        print(f"{path.name:36s} {times[path.name]:7.1f} s", flush=True)
    total = sum(times.values())
    print(f"{'total':36s} {total:7.1f} s  (goal: {GOAL_S:.0f} s; {'met' if total <= GOAL_S else 'NOT met'})")
    for name, seconds in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"  {name:34s} {seconds / total:6.1%} of the total")
    return 0 if total <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
