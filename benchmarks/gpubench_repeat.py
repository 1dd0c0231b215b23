"""Does a %%gpubench interval hold up on the next run, is it sharp, is contention named, and
does its median agree with torch.utils.benchmark?

    python benchmarks/gpubench_repeat.py [--runs 24] [--devices cpu] [--n 512] [--budget 0.5]
                                         [--conditions quiet,processes,training] [--rounds 5]

One process, one IPython shell with dlmagics loaded, as a learner's kernel. Under each
condition, with a fresh run history (a fresh kernel):
- quiet: nothing of ours beside it (whatever else runs on the machine is measured and shown);
- processes: two busy processes (a one-thread matmul loop each), started before and stopped
  by PID after;
- training: a %train_demo training in a thread of this same kernel (as a background run).
First two other cells run three times each (the pool an early run borrows from), then the
same cell (an n^2 matmul) ``--runs`` times. Per condition:
- coverage: the share of consecutive pairs where a run's 95% interval held the next run's
  median (goal >= 85%). 24 runs, 23 pairs: with 12 runs (11 pairs) an interval that holds
  the next median 95% of the time still scores under 85% one time in ten (binomial: at most
  9 of 11), with 23 pairs one time in 40;
- sharpness: the median relative width of the intervals from the third run on, against the
  spread of those runs' medians (max / min - 1): goal width <= 2x spread;
- what contention.py measured (other processes' cores, this kernel's other threads) and how
  many runs named a neighbour (the quiet condition should name none, unless the machine
  was not quiet: the figures say).
Then ``--rounds`` interleaved rounds of %%gpubench -d cpu and torch.utils.benchmark's
``blocked_autorange`` on the same matmul (goal: median ratio 0.98 to 1.02).
Prints a line per run and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
import torch.utils.benchmark as tb  # noqa: E402

from dlmagics.bench.history import RunHistory  # noqa: E402
from dlmagics.bench.stats import summarize  # noqa: E402

BUSY = "import torch\ntorch.set_num_threads(1)\nx = torch.randn(256, 256)\nwhile True:\n    x @ x\n"


def cell(n: int) -> str:
    return f"x = torch.randn({n}, {n}, device=device)\n# timed\ny = x @ x\n"


def holds(interval, value) -> bool:
    return interval[0] <= value <= interval[1]


def scores(results: list, label: str) -> dict:
    """Coverage of consecutive pairs, and sharpness from the third run on."""
    devices = [r.device(label) for r in results]
    medians = [d.summary.median for d in devices]
    now = [d.summary.ci95 for d in devices]
    burst = [summarize(d.times).ci95 for d in devices]
    pairs = len(devices) - 1
    widths = [(hi - lo) / m for (lo, hi), m in zip(now, medians)]
    later = medians[2:]
    spread = max(later) / min(later) - 1
    width = statistics.median(widths[2:])
    return {
        "device": label, "runs": len(devices),
        "medians_ms": [round(m * 1e3, 4) for m in medians],
        "widths": [round(w, 3) for w in widths],
        "coverage": round(sum(holds(now[i], medians[i + 1]) for i in range(pairs)) / pairs, 3),
        "spread_from_run_3": round(spread, 4),
        "median_width_from_run_3": round(width, 4),
        "width_over_spread": round(width / spread, 2) if spread > 0 else None,
        "coverage_one_burst": round(sum(holds(burst[i], medians[i + 1]) for i in range(pairs)) / pairs, 3),
        "bases": sorted({basis(d) for d in devices[2:]}),
    }


def basis(d) -> str:
    r = d.repeat
    return "pool+own" if r.pooled_steps else "own runs" if r.earlier_runs else "blocks" if r.blocks else "burst"


def contention_figures(results: list) -> dict:
    seen = [r.contention for r in results if r.contention]
    return {
        "named_runs": sum(1 for c in seen if c.named),
        "others_cores_median": round(statistics.median(c.others_cores for c in seen), 2) if seen else None,
        "threads_cores_median": round(statistics.median(sum(c.threads.values()) for c in seen), 2) if seen else None,
        "marks": sorted({c.to_dict()["mark"] for c in seen if c.named}),
    }


class Neighbours:
    """What runs beside the kernel under one condition: started by ``start``, stopped by ``stop``."""

    def __init__(self, condition: str, shell, demo: str):
        self.condition, self.shell, self.demo = condition, shell, demo
        self.processes: list[subprocess.Popen] = []
        self.stop_training = threading.Event()
        self.thread = None

    def start(self) -> None:
        if self.condition == "processes":
            self.processes = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
            print(f"started busy processes {[p.pid for p in self.processes]}")
            time.sleep(1.0)  # their torch imported, their loops going
        elif self.condition == "training":
            def train():
                while not self.stop_training.is_set():
                    self.shell.run_line_magic("train_demo", f"{self.demo} --no-live --quick")

            self.thread = threading.Thread(target=train, name=f"%train_demo {self.demo}", daemon=True)
            self.thread.start()
            time.sleep(2.0)  # its data loaded, its steps going

    def stop(self) -> None:
        for p in self.processes:
            os.kill(p.pid, signal.SIGTERM)
            p.wait()
        if self.processes:
            print(f"stopped busy processes {[p.pid for p in self.processes]}")
        if self.thread is not None:
            self.stop_training.set()
            self.shell.magics_manager.registry["DLMagics"].wing("train").trainer.stop_running()
            self.thread.join()


def condition_run(shell, condition: str, args) -> dict:
    magics = shell.magics_manager.registry["DLMagics"]
    magics.wing("bench").history = RunHistory()  # a fresh kernel's history
    options = f"-d {args.devices} --budget {args.budget:g}"
    neighbours = Neighbours(condition, shell, args.demo)
    neighbours.start()
    try:
        for n in (args.n // 2, args.n * 2):  # other cells: the pool
            for _ in range(3):
                shell.run_cell_magic("gpubench", options + " -q", cell(n))
        results = []
        for i in range(args.runs):
            result = shell.run_cell_magic("gpubench", options, cell(args.n))
            results.append(result)
            parts = [f"{d.label} {d.summary.median * 1e3:.3f} ms [{d.summary.ci95[0] * 1e3:.3f}, "
                     f"{d.summary.ci95[1] * 1e3:.3f}] ({basis(d)})" for d in result.devices if d.summary]
            c = result.contention
            said = f"  others {c.others_cores:.2f} cores, threads {sum(c.threads.values()):.2f}" if c else ""
            print(f"{condition} run {i + 1:2d}: " + "; ".join(parts) + said + ("  NAMED" if c and c.named else ""))
    finally:
        neighbours.stop()
    labels = [d.label for d in results[0].devices if d.summary]
    return {"condition": condition, "repeats": [scores(results, label) for label in labels],
            "contention": contention_figures(results)}


def against_timer(shell, n: int, rounds: int, budget: float) -> dict:
    threads = torch.get_num_threads()
    x = torch.randn(n, n)
    ratios = []
    for i in range(rounds):
        ours = shell.run_cell_magic("gpubench", f"-d cpu --budget {budget:g}", cell(n)).device("cpu").summary.median
        theirs = tb.Timer("x @ x", globals={"x": x}, num_threads=threads).blocked_autorange(min_run_time=budget).median
        ratios.append(ours / theirs)
        print(f"round {i + 1}: gpubench {ours * 1e3:.3f} ms, Timer {theirs * 1e3:.3f} ms, ratio {ours / theirs:.3f}")
    return {"rounds": rounds, "ratios": [round(r, 4) for r in ratios], "median_ratio": round(statistics.median(ratios), 4)}


def main() -> None:
    from IPython.testing.globalipapp import get_ipython

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=24)
    parser.add_argument("--devices", default="cpu")
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--budget", type=float, default=0.5)
    parser.add_argument("--conditions", default="quiet,processes,training")
    parser.add_argument("--demo", default="cnn", help="the %%train_demo trained under 'training'")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds against torch.utils.benchmark")
    args = parser.parse_args()
    shell = get_ipython()
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell("import torch")
    report = {"torch": torch.__version__, "threads": torch.get_num_threads(), "n": args.n, "budget_s": args.budget,
              "conditions": [condition_run(shell, c, args) for c in args.conditions.split(",")]}
    if args.rounds:
        report["against_torch_utils_benchmark"] = against_timer(shell, args.n, args.rounds, args.budget)
    for cond in report["conditions"]:
        k = cond["contention"]
        for c in cond["repeats"]:
            print(f"{cond['condition']:<9} {c['device']}: held the next median in {c['coverage']:.0%} of {c['runs'] - 1} "
                  f"(goal >= 85%); from run 3 median width {c['median_width_from_run_3']:.1%} against a spread of "
                  f"{c['spread_from_run_3']:.1%} = {c['width_over_spread']}x (goal <= 2x); one burst alone held "
                  f"{c['coverage_one_burst']:.0%}; basis {c['bases']}; named in {k['named_runs']} runs "
                  f"(others {k['others_cores_median']} cores, threads {k['threads_cores_median']})")
    if "against_torch_utils_benchmark" in report:
        t = report["against_torch_utils_benchmark"]
        print(f"gpubench / torch.utils.benchmark median ratio over {t['rounds']} rounds: {t['median_ratio']:.3f} "
              "(goal 0.98-1.02)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
