"""%train_demo's speed goals, measured in one process on this machine.

1. Each demo at its default settings (goal: within 30 s on 2 CPU cores), with its lesson.
2. What the live view costs: steps per second of each demo with the dashboard refreshing
   (its throttle, SVG frames, widget values) against the same loop with no view, run
   alternately so that drift on a noisy machine hits both (goal: the view costs <= 5%).

    python benchmarks/train_demos.py [--threads 2] [--only xor,cnn] [--skip-defaults]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from dlmagics.train import runner  # noqa: E402
from dlmagics.train.demos import DEMOS  # noqa: E402
from dlmagics.train.engine import Controls  # noqa: E402


def default_times(names):
    print(f"{'demo':<11} {'seconds':>8} {'steps':>7}  lesson")
    worst = 0.0
    for name in names:
        demo = DEMOS[name]
        started = time.perf_counter()
        result = runner.run(runner.start(demo, demo.settings(), ""))
        took = time.perf_counter() - started
        worst = max(worst, took)
        lesson = result.lesson
        print(f"{name:<11} {took:8.1f} {result.history.steps_done:7,}  "
              f"{'shown' if lesson.holds else 'NOT shown'}: {lesson.measured}", flush=True)
    print(f"slowest demo: {worst:.1f} s (goal: 30 s)\n")


def steps_per_second(demo, with_view: bool) -> float:
    from dlmagics.train.live import Dashboard

    result = runner.start(demo, demo.settings(), "")
    controls = Controls(result.settings.lr)
    on_step = None
    if with_view:
        dashboard = Dashboard(result, controls)
        on_step = lambda r: dashboard.refresh()  # noqa: E731
    started = time.perf_counter()
    runner.run(result, controls, on_step)
    return result.history.steps_done / (time.perf_counter() - started)


def view_cost(names, rounds: int):
    print(f"{'demo':<11} {'no view':>10} {'live view':>10} {'cost':>7}   (steps/s, median of {rounds} alternating runs)")
    costs = []
    for name in names:
        demo = DEMOS[name]
        plain, viewed = [], []
        for _ in range(rounds):
            plain.append(steps_per_second(demo, False))
            viewed.append(steps_per_second(demo, True))
        a, b = statistics.median(plain), statistics.median(viewed)
        costs.append(1 - b / a)
        print(f"{name:<11} {a:10.0f} {b:10.0f} {1 - b / a:7.1%}", flush=True)
    print(f"median cost over the demos: {statistics.median(costs):.1%}; worst: {max(costs):.1%} (goal: <= 5%)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default=",".join(DEMOS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-defaults", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = args.only.split(",")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    if not args.skip_defaults:
        default_times(names)
    view_cost(names, args.rounds)


if __name__ == "__main__":
    main()
