"""Does a %%gpubench interval hold up on the next run, and does its median agree with
torch.utils.benchmark?

    python benchmarks/gpubench_repeat.py [--runs 20] [--devices cpu] [--n 1024] [--rounds 5]

One process, one IPython shell with dlmagics loaded, as a learner's kernel:
- ``--runs`` consecutive ``%%gpubench`` runs of the same cell (an n^2 matmul). For each run
  but the last: does its 95% interval hold the next run's median? Goal: >= 85% of them. The
  median relative width of the intervals is reported too, and, on the same runs, what the
  interval of the runs alone (the order statistics of one burst, the report's interval before
  the blocks) would have scored.
- ``--rounds`` interleaved rounds of one %%gpubench -d cpu run and one
  ``torch.utils.benchmark.Timer.blocked_autorange`` (all threads) of the same matmul: the
  median of gpubench median / Timer median. Goal: 0.98 to 1.02.
Prints a line per run and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics

import torch
import torch.utils.benchmark as tb

from dlmagics.bench.stats import summarize


def cell(n: int) -> str:
    return f"x = torch.randn({n}, {n}, device=device)\n# timed\ny = x @ x\n"


def holds(interval, value) -> bool:
    return interval[0] <= value <= interval[1]


def coverage(results: list, label: str) -> dict:
    """The share of runs whose interval held the next run's median, with the blocks and the
    earlier runs (the report's interval) and with the runs of one burst alone (before)."""
    devices = [r.device(label) for r in results]
    medians = [d.summary.median for d in devices]
    now = [d.summary.ci95 for d in devices]
    burst = [summarize(d.times).ci95 for d in devices]
    pairs = len(devices) - 1
    return {
        "device": label, "runs": len(devices),
        "medians_ms": [round(m * 1e3, 4) for m in medians],
        "spread_of_medians": round(max(medians) / min(medians) - 1, 4),
        "coverage": round(sum(holds(now[i], medians[i + 1]) for i in range(pairs)) / pairs, 3),
        "median_width": round(statistics.median((hi - lo) / m for (lo, hi), m in zip(now, medians)), 4),
        "coverage_one_burst": round(sum(holds(burst[i], medians[i + 1]) for i in range(pairs)) / pairs, 3),
        "median_width_one_burst": round(statistics.median((hi - lo) / m for (lo, hi), m in zip(burst, medians)), 4),
    }


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
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--devices", default="cpu")
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--budget", type=float, default=1.5)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds against torch.utils.benchmark")
    args = parser.parse_args()
    shell = get_ipython()
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell("import torch")
    results = []
    for i in range(args.runs):
        result = shell.run_cell_magic("gpubench", f"-d {args.devices} --budget {args.budget:g}", cell(args.n))
        results.append(result)
        parts = [f"{d.label} {d.summary.median * 1e3:.3f} ms [{d.summary.ci95[0] * 1e3:.3f}, {d.summary.ci95[1] * 1e3:.3f}]"
                 for d in result.devices if d.summary]
        drifted = [w for w in result.warnings if "during the run" in w]
        print(f"run {i + 1:2d}: " + "; ".join(parts) + (f"  ({drifted[0][:60]}...)" if drifted else ""))
    labels = [d.label for d in results[0].devices if d.summary]
    report = {"torch": torch.__version__, "threads": torch.get_num_threads(), "n": args.n, "budget_s": args.budget,
              "repeats": [coverage(results, label) for label in labels],
              "against_torch_utils_benchmark": against_timer(shell, args.n, args.rounds, args.budget)}
    for c in report["repeats"]:
        print(f"{c['device']}: the interval held the next run's median in {c['coverage']:.0%} of {c['runs'] - 1} "
              f"(goal >= 85%), median width {c['median_width']:.1%}; one burst's interval alone: "
              f"{c['coverage_one_burst']:.0%}, width {c['median_width_one_burst']:.1%}; medians spread "
              f"{c['spread_of_medians']:.0%}")
    t = report["against_torch_utils_benchmark"]
    print(f"gpubench / torch.utils.benchmark median ratio over {t['rounds']} rounds: {t['median_ratio']:.3f} "
          "(goal 0.98-1.02)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
