"""What %%train's watch and doctor cost a learner's loop: the same loops run plain (exec)
and under %%train's run (doctor on, doctor off), in one process, taking turns, and the
median time per step of each compared as a ratio. Goal (issue 29): at most 1.03x with the
doctor on, for a small MLP and a CNN at batch 64.

    python benchmarks/train_overhead.py [--rounds 7] [--steps 500] [--device cpu] [--threads N]

500 steps at batch 64 is about half an epoch of MNIST: what the doctor checks once (the first
batch, the first steps) and its sampled steps weigh as in a learner's first epoch.
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


def plain(ns: dict) -> float:
    started = time.perf_counter()
    exec(LOOP, ns)  # noqa: S102 - our own benchmark loop
    return time.perf_counter() - started


def watched(doctor: bool):
    from dlmagics.train import own

    def run(ns: dict) -> float:
        result = own.start("%%train", doctor)
        started = time.perf_counter()
        own.run_cell(result, LOOP, ns)
        elapsed = time.perf_counter() - started
        assert result.status == "finished" and not result.findings, (result.status, result.error, result.findings)
        run.shares.append(result.doctor_share)
        return elapsed

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
        times = {name: [] for name in ways}
        plain(namespace(kind, 20, args.device))  # warm up
        for round in range(args.rounds):  # the order turns each round, so a drifting machine favours none
            names = list(ways)[round % 3:] + list(ways)[:round % 3]
            for name in names:
                times[name].append(ways[name](namespace(kind, args.steps, args.device)) / args.steps)
        base = statistics.median(times["plain"])
        print(f"{kind}: plain {base * 1e3:.3f} ms/step")
        for name in ("doctor on", "doctor off"):
            ratios = sorted(t / p for t, p in zip(times[name], times["plain"]))
            share = statistics.median(ways[name].shares)
            print(f"  {name}: {statistics.median(times[name]) * 1e3:.3f} ms/step, {statistics.median(ratios):.3f}x plain "
                  f"(median of the rounds' ratios; they ranged {ratios[0]:.3f} to {ratios[-1]:.3f}); the run's own "
                  f"count: {share:.2%} of its time in the watch")


if __name__ == "__main__":
    main()
