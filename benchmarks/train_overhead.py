"""What %%train's watch and doctor cost a learner's loop: the same loops run plain (exec)
and under %%train's run (doctor on, doctor off), in one process, taking turns, and the
median time per step of each compared as a ratio. Goal (issue 29): at most 1.03x with the
doctor on, for a small MLP and a CNN at batch 64.

    python benchmarks/train_overhead.py [--rounds 15] [--steps 500] [--device cpu] [--threads N]

Time per step is read in the steady state (from step 100, one global step hook in every way);
the whole run's ratio, with what a run does once (the first batch's checks, the model search of
the first steps, the early sampled steps, the end's reads), is printed beside it. 500 steps at
batch 64 is about half an epoch of MNIST. On a shared 2-core machine one round's ratio moves by
a few percent either way, so the median of the rounds comes with its 95% interval (order
statistics: 15 rounds give ranks 4 to 12): a goal met only by luck shows as an interval that
straddles it. A fourth way, "plain again", runs the plain loop a second time: its ratio to the
first is the machine's own noise (an A/A test), the yardstick for the others', which are read
against both plain runs of their round (their geometric mean).

glibc's allocator is held steady (``--allocator steady``, the default): left to itself it gives
memory back to the system and takes it again as the heap's top frees up, so a way of running can
pay hundreds of page faults a step that another does not, by where a few small tensors happen to
lie (measured: 210 faults a step plain, 0.5 under the watch, in one process; the order flips in
another). That swings the ratios by more than the watch costs, either way; ``--allocator
default`` shows it, with the page faults per step of each way.
"""

from __future__ import annotations

import argparse
import ctypes
import math
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from dlmagics.bench.stats import median_interval  # noqa: E402

LOOP = '''
import time
for epoch in range(EPOCHS):
    model.train()
    for x, y in batches:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
SYNC()
'''

MODELS = {
    # the course's tutorial 1: MNIST's 28x28 flattened, 2 x 512 dense + ReLU + Dropout
    "mlp": lambda: torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(512, 10)),
    "cnn": lambda: torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 7 * 7, 10)),
}


def namespace(kind: str, steps: int, device: str) -> dict:
    torch.manual_seed(0)
    model = MODELS[kind]().to(device)
    # A task both nets learn within a few hundred steps (labels from a fixed linear teacher on the
    # means of 4x4 patches): on random labels a healthy loop's units really die, and on a teacher
    # of single pixels the CNN stays near chance for 400 steps; the doctor rightly says so of both.
    x = torch.randn(steps * 64, 1, 28, 28, device=device)
    y = (torch.nn.functional.avg_pool2d(x, 4).flatten(1) @ torch.randn(49, 10, device=device)).argmax(1)
    batches = [(x[i:i + 64], y[i:i + 64]) for i in range(0, len(x), 64)]
    sync = (lambda: torch.cuda.synchronize()) if device.startswith("cuda") else (lambda: None)
    return {"model": model, "optimizer": torch.optim.Adam(model.parameters(), lr=1e-3),
            "criterion": torch.nn.CrossEntropyLoss(), "batches": batches, "EPOCHS": 1, "SYNC": sync, "torch": torch}


class StepClock:
    """When each optimizer step ends (one global hook, the same in every way of running), so a
    step's time can be read in the steady state: from step FROM on, past what a run does once
    (the first batch's checks, the first steps' model search, the early sampled steps)."""

    FROM = 100

    def __init__(self):
        self.times: list[float] = []

    def __enter__(self):
        from torch.optim.optimizer import register_optimizer_step_post_hook

        self.handle = register_optimizer_step_post_hook(lambda *_: self.times.append(time.perf_counter()))
        return self

    def __exit__(self, *exc):
        self.handle.remove()

    def per_step(self) -> float:
        times = self.times[self.FROM:]
        return (times[-1] - times[0]) / (len(times) - 1)


def steady_allocator() -> bool:
    """glibc: no trimming of the heap's top and no mmap for big blocks, so memory once taken is
    reused and no way of running pays page faults the others do not. False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)) and bool(libc.mallopt(M_MMAP_THRESHOLD, 1 << 25))


def faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def plain(ns: dict) -> tuple[float, float]:
    """(seconds of the whole run, seconds per step in the steady state)."""
    with StepClock() as clock:
        started = time.perf_counter()
        exec(LOOP, ns)  # noqa: S102 - our own benchmark loop
        return time.perf_counter() - started, clock.per_step()


def watched(doctor: bool):
    from dlmagics.train import own

    def run(ns: dict) -> tuple[float, float]:
        result = own.start("%%train", doctor)
        with StepClock() as clock:
            started = time.perf_counter()
            own.run_cell(result, LOOP, ns)
            elapsed = time.perf_counter() - started
        assert result.status == "finished" and not result.findings, (result.status, result.error, result.findings)
        run.shares.append(result.doctor_share)
        return elapsed, clock.per_step()

    run.shares = []
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, help="torch's CPU threads (default: its own choice)")
    parser.add_argument("--allocator", choices=("steady", "default"), default="steady",
                        help="hold glibc's allocator steady (default) or leave it as it is")
    args = parser.parse_args()
    held = args.allocator == "steady" and steady_allocator()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}, "
          f"{args.steps} steps at batch 64, {args.rounds} rounds (the four ways take turns); glibc's allocator "
          + ("held steady" if held else "left as it is"))
    for kind in MODELS:
        # "plain again": the same plain loop a second time, whose ratio to plain is this machine's
        # own noise (an A/A test): a goal met or missed by less than its spread is not shown
        ways = {"plain": plain, "doctor on": watched(True), "doctor off": watched(False), "plain again": plain}
        runs = {name: [] for name in ways}  # (whole run's seconds, steady per-step seconds)
        faulted = {name: [] for name in ways}  # page faults per step
        plain(namespace(kind, StepClock.FROM + 20, args.device))  # warm up
        for round in range(args.rounds):  # the order turns each round, so a drifting machine favours none
            names = list(ways)[round % len(ways):] + list(ways)[:round % len(ways)]
            for name in names:
                ns = namespace(kind, args.steps, args.device)
                before = faults()
                runs[name].append(ways[name](ns))
                faulted[name].append((faults() - before) / args.steps)
        base = statistics.median(step for _, step in runs["plain"])
        print(f"{kind}: plain {base * 1e3:.3f} ms/step (steady, from step {StepClock.FROM}); page faults a step: "
              + ", ".join(f"{name} {statistics.median(f):.1f}" for name, f in faulted.items()))
        # each round's reference: its two plain runs (geometric mean); the A/A line compares them
        reference = [(math.sqrt(a[0] * b[0]), math.sqrt(a[1] * b[1])) for a, b in zip(runs["plain"], runs["plain again"])]
        for name, against in (("doctor on", reference), ("doctor off", reference), ("plain again", runs["plain"])):
            steady = sorted(w[1] / p[1] for w, p in zip(runs[name], against))
            whole = statistics.median(w[0] / p[0] for w, p in zip(runs[name], against))
            shares = getattr(ways[name], "shares", None)
            count = f"; the run's own count: {statistics.median(shares):.2%} of its time in the watch" if shares else ""
            low, high = median_interval(steady)
            print(f"  {name}: {statistics.median(steady):.3f}x plain per step (median of the rounds' ratios, 95% "
                  f"interval {low:.3f} to {high:.3f}; they ranged {steady[0]:.3f} to {steady[-1]:.3f}); the whole run, "
                  f"set-up and end included, {whole:.3f}x{count}")

if __name__ == "__main__":
    main()
