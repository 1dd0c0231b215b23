"""%%gpubench's repeat interval on simulated runs, where the truth is known: coverage (the
share of runs whose 95% interval held the next run's median) and sharpness (the median
interval width from run 3 on against the spread of the medians, max / min - 1, as
gpubench_repeat.py measures them on a real machine), for a cell whose kernel's other cells
wander 0.5x to 5x as much as it does (the pool it may borrow from), with and without a slow
drift. A calibrated 95% interval has width/spread near 2 on 10 runs: 2 x 1.96 x sqrt(2) sigma
against the range of 10 draws, about 3.1 sigma (plus t's margin).

    python benchmarks/interval_sim.py [--trials 400]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dlmagics.bench.stats import StepPool, log_steps, repeat_interval  # noqa: E402

SIGMA = 0.001  # the cell's run-to-run wander (0.1%, a quiet machine's)


def simulate(pool_scale: float, trials: int, drift: float = 0.0, runs: int = 12, seed: int = 0):
    rng = random.Random(seed)
    ratios, held_by_run = [], [[] for _ in range(runs - 1)]
    for _ in range(trials):
        steps = []  # two other cells, three runs each, as gpubench_repeat.py runs them first
        for _cell in range(2):
            steps += log_steps([math.exp(rng.gauss(0, pool_scale * SIGMA)) for _ in range(3)])
        pool = StepPool(sum(s * s for s in steps), len(steps), 2)
        medians, widths, previous, level = [], [], None, 0.0
        for run in range(runs):
            level += rng.gauss(0, drift * SIGMA)
            median = math.exp(level + rng.gauss(0, SIGMA))
            blocks = [median * math.exp(rng.gauss(0, SIGMA / 2)) for _ in range(5)]
            interval = repeat_interval(median, (median * 0.9995, median * 1.0005), blocks, medians, pool)
            if previous:
                held_by_run[run - 1].append(previous[0] <= median <= previous[1])
            previous = (interval.low, interval.high)
            widths.append((interval.high - interval.low) / median)
            medians.append(median)
        ratios.append(statistics.median(widths[2:]) / (max(medians[2:]) / min(medians[2:]) - 1))
    coverage = statistics.mean(h for run in held_by_run for h in run)
    return statistics.median(ratios), coverage, statistics.mean(held_by_run[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=400)
    args = parser.parse_args()
    print("pool's wander  drift  width/spread  coverage  run 3 -> 4   (goals: width <= 2x spread, coverage >= 85%)")
    for drift in (0.0, 1.0):
        for scale in (0.5, 1, 2, 3, 5):
            ratio, coverage, third = simulate(scale, args.trials, drift)
            print(f"{scale:>9}x     {drift:>4}  {ratio:>11.2f}x  {coverage:>8.1%}  {third:>9.1%}")


if __name__ == "__main__":
    main()
