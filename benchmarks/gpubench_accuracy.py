"""Does %%gpubench measure what the reference tools measure, and what does it cost?

    python benchmarks/gpubench_accuracy.py [--sizes 1024,2048] [--budget 1.5]

In one process, interleaved, for an fp32 matmul on the CPU with all threads:
- gpubench's median against torch.utils.benchmark.Timer(num_threads=all).blocked_autorange
  (goal: the ratio within 1 +- 0.05);
- the harness's own cost per iteration: the median of an empty timed block (goal <= 5 us),
  against a bare perf_counter loop as the floor;
- the wall time of a default run against its budget (warm-up, counting, the copy-bandwidth
  probe and the agreement check are outside the budget).
With a CUDA GPU the same comparison runs against triton.testing.do_bench, see gpu_check.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
import torch.utils.benchmark as tb

from dlmagics.bench.cell import split_cell
from dlmagics.bench.precision import parse_precision
from dlmagics.bench.runner import Options, run_cell
from dlmagics.hardware.devices import Device


def gpubench_median(source: str, budget: float, devices=(Device("cpu"),)) -> tuple[float, float]:
    """(median of the first device, wall seconds of the whole run)."""
    start = time.perf_counter()
    result = run_cell(split_cell(source), list(devices), Options(parse_precision("float32"), budget=budget), {})
    wall = time.perf_counter() - start
    return result.devices[0].summary.median, wall


def timer_median(n: int, threads: int) -> float:
    x = torch.randn(n, n)
    timer = tb.Timer("x @ x", globals={"x": x}, num_threads=threads)
    return timer.blocked_autorange(min_run_time=1.0).median


def bare_loop_overhead(runs: int = 20000) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1024,2048")
    parser.add_argument("--budget", type=float, default=1.5)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per size")
    args = parser.parse_args()
    threads = torch.get_num_threads()
    report = {"torch": torch.__version__, "threads": threads, "sizes": {}}
    for n in (int(s) for s in args.sizes.split(",")):
        source = f"x = torch.randn({n}, {n}, device=device)\n# timed\ny = x @ x\n"
        ours, theirs = [], []
        for _ in range(args.rounds):  # interleaved: drift hits both alike
            ours.append(gpubench_median(source, args.budget)[0])
            theirs.append(timer_median(n, threads))
        ratio = statistics.median(ours) / statistics.median(theirs)
        report["sizes"][n] = {"gpubench_median_s": statistics.median(ours), "timer_median_s": statistics.median(theirs),
                              "ratio": ratio, "within_5_percent": abs(ratio - 1) <= 0.05,
                              "rounds": {"gpubench": ours, "timer": theirs}}
        print(f"{n}^2 fp32 matmul, {threads} threads: gpubench {statistics.median(ours) * 1e3:.2f} ms, "
              f"Timer.blocked_autorange {statistics.median(theirs) * 1e3:.2f} ms, ratio {ratio:.3f}")
    empty, _ = gpubench_median("# timed\npass\n", 0.5)
    floor = bare_loop_overhead()
    report["empty_block_median_s"] = empty
    report["bare_perf_counter_s"] = floor
    print(f"harness per iteration (empty timed block): {empty * 1e6:.2f} us (goal <= 5 us); "
          f"a bare perf_counter pair: {floor * 1e6:.2f} us, ratio {empty / floor:.1f}")
    n = int(args.sizes.split(",")[0])
    _, wall = gpubench_median(f"x = torch.randn({n}, {n}, device=device)\n# timed\ny = x @ x\n", args.budget)
    report["default_run"] = {"budget_s": args.budget, "wall_s": wall, "ratio": wall / args.budget}
    print(f"a default run ({n}^2, cpu, budget {args.budget} s): wall {wall:.2f} s = {wall / args.budget:.2f}x the budget")
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
