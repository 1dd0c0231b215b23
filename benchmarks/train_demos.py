"""%train_demo's speed goals, measured in one process on this machine.

1. Each demo at its default settings (goal: within 30 s on 2 CPU cores), with its lesson.
2. What the live view costs: steps per second of each demo with the dashboard refreshing
   (its throttle, SVG frames, widget values) against the same loop with no view, run
   alternately so that drift on a noisy machine hits both (goal: the view costs <= 5%).
3. What a diverged net would cost (issue 35: batchnorm's plain net "ran 150x slower"): a step
   of that net with the NaN weights it ends with against one with its first weights. The race
   stops training a net at its first non-finite loss anyway; this shows NaN arithmetic is not
   what was slow (goal: ratio about 1), the speed of its few steps at the run's start was.

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


def default_times(names, device: str = "cpu"):
    print(f"{'demo':<11} {'seconds':>8} {'steps':>7}  lesson")
    worst = 0.0
    for name in names:
        demo = DEMOS[name]
        started = time.perf_counter()
        result = runner.run(runner.start(demo, demo.settings(device=device), ""))
        took = time.perf_counter() - started
        worst = max(worst, took)
        lesson = result.lesson
        print(f"{name:<11} {took:8.1f} {result.history.steps_done:7,}  "
              f"{'shown' if lesson.holds else 'NOT shown'}: {lesson.measured}", flush=True)
    print(f"slowest demo: {worst:.1f} s (goal: 30 s)\n")


def steps_per_second(demo, with_view: bool, device: str = "cpu") -> tuple[float, float, list[float]]:
    """(steps per second, the share of the run's time spent drawing frames, each frame's seconds)."""
    from dlmagics.train import frames
    from dlmagics.train.dashboard import Dashboard

    result = runner.start(demo, demo.settings(device=device), "")
    controls = Controls(result.settings.lr)
    on_step = dashboard = None
    costs: list[float] = []
    if with_view:
        dashboard = Dashboard(result, controls, frames)
        on_step = lambda r: dashboard.refresh()  # noqa: E731
        drew = dashboard.throttle.drew

        def timed_drew(started: float) -> None:  # each frame's cost: a short run's few frames explain its share
            costs.append(time.perf_counter() - started)
            drew(started)
        dashboard.throttle.drew = timed_drew
    started = time.perf_counter()
    runner.run(result, controls, on_step)
    took = time.perf_counter() - started
    return result.history.steps_done / took, (dashboard.throttle.spent / took if dashboard else 0.0), costs


def view_cost(names, rounds: int, device: str = "cpu"):
    print(f"{'demo':<11} {'no view':>10} {'live view':>10} {'cost':>7} {'drawing':>8}   "
          f"(steps/s, median of {rounds} alternating runs; drawing: share of the live run's time)")
    for with_view in (False, True):  # warm up torch, the caches and the drawing once, untimed
        steps_per_second(DEMOS[names[0]], with_view, device)
    costs, shares = [], []
    for name in names:
        demo = DEMOS[name]
        plain, viewed, drawing = [], [], []
        for _ in range(rounds):
            plain.append(steps_per_second(demo, False, device)[0])
            rate, share, frames = steps_per_second(demo, True, device)
            viewed.append(rate)
            drawing.append(share)
        a, b = statistics.median(plain), statistics.median(viewed)
        costs.append(1 - b / a)
        shares.append(statistics.median(drawing))
        print(f"{name:<11} {a:10.0f} {b:10.0f} {1 - b / a:7.1%} {shares[-1]:8.2%}   last live run's frames (ms): "
              + ", ".join(f"{c * 1e3:.0f}" for c in frames), flush=True)
    print(f"median cost over the demos: {statistics.median(costs):.1%}; worst: {max(costs):.1%}; "
          f"drawing at most {max(shares):.2%} of a run (goal: <= 5%)")


def nan_step_cost(repeats: int = 50) -> None:
    import copy
    import math

    from dlmagics.train.engine import BatchStream

    demo = DEMOS["batchnorm"]
    plan = demo.build(demo.settings(quick=True))
    plain = plan.contenders[0]
    x, y = BatchStream(plan.data.x_train, plan.data.y_train, plan.batch_size, 0).next()

    def step_ms(model) -> float:  # forward, backward and an SGD step of lr 0 (the weights stay)
        model = copy.deepcopy(model)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
        times = []
        for _ in range(repeats + 5):  # the first few warm up, untimed
            started = time.perf_counter()
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
            times.append(time.perf_counter() - started)
        return statistics.median(times[5:]) * 1000

    healthy = step_ms(plain.model)
    plain.start(demo.lr)
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):  # at learning rate 1 its loss becomes NaN within a few steps
        if not math.isfinite(plain.train_step(x, y, demo.lr, generator)[0]):
            break
    if all(torch.isfinite(w).all() for w in plain.model.parameters()):
        print("batchnorm's plain net did not diverge here: nothing to compare")
        return
    broken = step_ms(plain.model)
    print(f"batchnorm's plain net: {healthy:.2f} ms a step at its start, {broken:.2f} ms with NaN weights: "
          f"ratio {broken / healthy:.2f} (goal: about 1)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default=",".join(DEMOS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-defaults", action="store_true")
    parser.add_argument("--device", default="cpu", help="where the demos train: cpu, cuda, cuda:1")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = args.only.split(",")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}\n")
    if not args.skip_defaults:
        default_times(names, args.device)
    view_cost(names, args.rounds, args.device)
    nan_step_cost()


if __name__ == "__main__":
    main()
