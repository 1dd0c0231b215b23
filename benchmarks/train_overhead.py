"""What %%train's watch and doctor cost a learner's loop: the same loops run plain (exec)
and under %%train's run (doctor on, doctor off), in one process, taking turns, and the
median time per step of each compared as a ratio. Goal (issue 29): at most 1.03x with the
doctor on, for a small MLP and a CNN at batch 64.

    python benchmarks/train_overhead.py [--rounds 7] [--steps 500] [--device cpu] [--threads N]

Time per step is read in the steady state (from step 100, one global step hook in every way);
the whole run's ratio, with what a run does once (the first batch's checks, the model search of
the first steps, the early sampled steps, the end's reads), is printed beside it. 500 steps at
batch 64 is about half an epoch of MNIST.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

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
    # A task the nets can learn (labels from a fixed linear teacher on normalised inputs):
    # on random labels a healthy loop's units really die, and the doctor rightly says so.
    x = torch.randn(steps * 64, 1, 28, 28, device=device)
    y = (x.flatten(1) @ torch.randn(784, 10, device=device)).argmax(1)
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
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, help="torch's CPU threads (default: its own choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}, "
          f"{args.steps} steps at batch 64, {args.rounds} rounds (the three take turns)")
    for kind in MODELS:
        ways = {"plain": plain, "doctor on": watched(True), "doctor off": watched(False)}
        runs = {name: [] for name in ways}  # (whole run's seconds, steady per-step seconds)
        plain(namespace(kind, StepClock.FROM + 20, args.device))  # warm up
        for round in range(args.rounds):  # the order turns each round, so a drifting machine favours none
            names = list(ways)[round % 3:] + list(ways)[:round % 3]
            for name in names:
                runs[name].append(ways[name](namespace(kind, args.steps, args.device)))
        base = statistics.median(step for _, step in runs["plain"])
        print(f"{kind}: plain {base * 1e3:.3f} ms/step (steady, from step {StepClock.FROM})")
        for name in ("doctor on", "doctor off"):
            steady = sorted(w[1] / p[1] for w, p in zip(runs[name], runs["plain"]))
            whole = statistics.median(w[0] / p[0] for w, p in zip(runs[name], runs["plain"]))
            share = statistics.median(ways[name].shares)
            print(f"  {name}: {statistics.median(steady):.3f}x plain per step (median of the rounds' ratios; they "
                  f"ranged {steady[0]:.3f} to {steady[-1]:.3f}); the whole run, set-up and end included, "
                  f"{whole:.3f}x; the run's own count: {share:.2%} of its time in the watch")


if __name__ == "__main__":
    main()
