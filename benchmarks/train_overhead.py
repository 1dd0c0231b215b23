"""What %%train's watch and doctor cost a learner's loop: the same loop run plain and under
%%train's run (doctor on, or off), two processes taking turns step by step, and the time per step
of each compared as a ratio. Goal (issue 29): at most 1.03x with the doctor on, for a small MLP
and a CNN at batch 64.

    python benchmarks/train_overhead.py [--rounds 7] [--steps 300] [--threads 1] [--device cpu]
        [--turn 1] [--models mlp,cnn] [--ways "doctor on,doctor off,plain again"]

Why two processes taking turns: this VM's own speed drifts by 10-20% over seconds. Runs taken in
turn in one process (this script's first design) gave ratios that swung by 10-35% even plain
against plain. Here one process runs the loop plain and the other runs it watched, pinned to the
same cores, and they hand a token to each other through a pipe after every optimizer step. So
each step of one has the other's step beside it, milliseconds apart, on the same machine. A
step's time runs from getting the turn to handing it over: the loop's own work and the watch's
hooks, not the other's step and not the pipe. Plain against plain ("plain again", an A/A test)
then stays within about 1%: what is left is each process's memory layout, so every round starts
a new pair, and who goes first alternates. ``--turn N`` hands over every N steps instead: the
caches then stay warm for N-1 steps (measured: the plain step 17% faster at 10, the watch's
ratio about the same).

Read per round: the watched side's total over the plain side's, steady (from step 100, past what
a run does once: the first batch's checks, the first steps' model search, the early sampled
steps) and whole (the run's set-up, every step and its end). Printed: the median of the rounds
with its 95% interval (order statistics) and their range, the watched step's extra time, and the
run's own count of its watch (`doctor_share`, which the final summary reports).

The watched run's clock stops while it waits for its turn (``OwnClock``): its reads (four a
second), its doctor's budget (0.5% of the run's time) and its share are then of its own time, as
when it runs alone; on the wall clock, the other's turns would double its reads and its sampled
steps a step. Each turn starts with the other process's data in the caches, which a learner's
kernel running alone does not have: a cost both sides pay makes the ratio read a little low, so
the extra time a step is printed too.

glibc's allocator is held steady in both processes (no trimming of the heap's top, no mmap for
big blocks): left to itself it gives memory back and takes it again, and a way of running can
pay hundreds of page faults a step that another does not, by where a few small tensors lie.
"""

from __future__ import annotations

import argparse
import ctypes
import multiprocessing
import os
import queue
import statistics
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from dlmagics.bench.stats import median_interval  # noqa: E402

LOOP = '''
for epoch in range(EPOCHS):
    model.train()
    for x, y in batches:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        TURN()
'''

STEADY_FROM = 100  # the first step read as steady

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
WAYS = ("doctor on", "doctor off", "plain again")  # each against "plain"


def namespace(kind: str, steps: int, device: str) -> dict:
    torch.manual_seed(0)
    model = MODELS[kind]().to(device)
    # A task both nets learn within a few hundred steps (labels from a fixed linear teacher on the
    # means of 4x4 patches): on random labels a healthy loop's units really die, and on a teacher
    # of single pixels the CNN stays near chance for 400 steps; the doctor rightly says so of both.
    x = torch.randn(steps * 64, 1, 28, 28, device=device)
    y = (torch.nn.functional.avg_pool2d(x, 4).flatten(1) @ torch.randn(49, 10, device=device)).argmax(1)
    batches = [(x[i:i + 64], y[i:i + 64]) for i in range(0, len(x), 64)]
    return {"model": model, "optimizer": torch.optim.Adam(model.parameters(), lr=1e-3),
            "criterion": torch.nn.CrossEntropyLoss(), "batches": batches, "EPOCHS": 1}


class Turns:
    """This process's side of the pair, called after each step as ``TURN()``: the step's time
    is kept, the turn handed over, and the next step's time starts when it comes back."""

    def __init__(self, pipe, device: str, every: int):
        self.pipe, self.steps, self.since, self.every = pipe, [], 0.0, every
        self.waited = 0.0  # seconds spent waiting for the turn
        self.sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)

    def start(self, first: bool) -> None:
        if not first:
            self._wait()
        self.since = time.perf_counter()

    def _wait(self) -> None:
        started = time.perf_counter()
        self.pipe.recv()
        self.waited += time.perf_counter() - started

    def __call__(self) -> None:
        self.sync()
        self.steps.append(time.perf_counter() - self.since)
        if len(self.steps) % self.every == 0:
            self.pipe.send(None)
            self._wait()
        self.since = time.perf_counter()

    def end(self) -> None:
        self.sync()
        self.steps.append(time.perf_counter() - self.since)  # the run's end: its last reads and record
        self.pipe.send(None)  # the other's last turn


class OwnClock:
    """The ``time`` module as the watched run sees it: ``perf_counter`` stops while the process
    waits for its turn."""

    def __init__(self, turns: Turns):
        self.turns = turns

    def perf_counter(self) -> float:
        return time.perf_counter() - self.turns.waited

    def __getattr__(self, name):
        return getattr(time, name)


def steady_allocator() -> bool:
    """glibc: no trimming of the heap's top and no mmap for big blocks. False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)) and bool(libc.mallopt(M_MMAP_THRESHOLD, 1 << 25))


def side(way: str, kind: str, args, cores: set[int], pipe, first: bool, ready, results) -> None:
    """One process of a pair: the loop plain, or under %%train's run."""
    try:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, cores)
        torch.set_num_threads(args.threads)
        steady_allocator()
        from dlmagics.train import cellcode, own, watch  # noqa: F401 - both ways load the same: a kernel with dlmagics
        from dlmagics.train.doctor import rules
        ns = namespace(kind, args.steps, args.device)
        ns["TURN"] = turns = Turns(pipe, args.device, args.turn)
        ready.wait()
        turns.start(first)
        share = None
        if way in ("plain", "plain again"):
            exec(LOOP, ns)  # noqa: S102 - our own benchmark loop
        else:
            own.time = rules.time = OwnClock(turns)  # (this process only: it ends with the run)
            result = own.start("%%train", doctor=way == "doctor on")
            own.run_cell(result, LOOP, ns)
            assert result.status == "finished" and not result.findings, (result.status, result.error, result.findings)
            share = result.doctor_share
        turns.end()
        results.put((way, turns.steps, share))
    except BaseException:  # noqa: BLE001 - told to the parent, which stops the pair
        results.put((way, traceback.format_exc(), None))


def pair(way: str, kind: str, args, plain_first: bool) -> tuple[list[float], list[float], float | None]:
    """One round: (the plain side's step times, the other's, the other's own count)."""
    spawn = multiprocessing.get_context("spawn")
    one, other = spawn.Pipe()
    ready, results = spawn.Barrier(2), spawn.Queue()
    cores = set(sorted(os.sched_getaffinity(0))[:args.threads]) if hasattr(os, "sched_getaffinity") else set()
    processes = [spawn.Process(target=side, args=("plain", kind, args, cores, one, plain_first, ready, results)),
                 spawn.Process(target=side, args=(way, kind, args, cores, other, not plain_first, ready, results))]
    for p in processes:
        p.start()
    try:
        got = {}
        for _ in processes:
            name, steps, share = next_result(results, processes)
            if isinstance(steps, str):
                raise SystemExit(f"{name} failed:\n{steps}")
            got.setdefault(name, (steps, share))  # "plain again" against "plain": two names
        return got["plain"][0], got[way][0], got[way][1]
    finally:
        for p in processes:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()


def next_result(results, processes):
    """The next side's result; a side that died without one (killed, a crash) ends the script."""
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise SystemExit(f"a side of the pair died (exit code {dead[0].exitcode})") from None


def ratio(watched: list[float], plain: list[float], steady: bool) -> float:
    first = STEADY_FROM if steady else 0
    last = -1 if steady else None  # steady: the end's reads left out too
    return sum(watched[first:last]) / sum(plain[first:last])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch's CPU threads in each process (default 1)")
    parser.add_argument("--turn", type=int, default=1, help="steps a process takes before handing over (default 1)")
    parser.add_argument("--models", default=",".join(MODELS), help="which of " + ", ".join(MODELS))
    parser.add_argument("--ways", default=",".join(WAYS), help="which of " + ", ".join(WAYS) + ", each against plain")
    args = parser.parse_args()
    if not set(args.ways.split(",")) <= set(WAYS):
        parser.error("--ways: a comma-separated list of " + ", ".join(WAYS))
    if args.steps <= STEADY_FROM + 10:
        parser.error(f"--steps must be above {STEADY_FROM + 10}: the steady state is read from step {STEADY_FROM}")
    print(f"torch {torch.__version__}, {args.threads} thread(s) a process, device {args.device}, {args.steps} steps "
          f"at batch 64, {args.rounds} rounds; in each, a plain process and a watched one take turns step by step")
    for kind in args.models.split(","):
        rows, plain_steps = {}, []
        for way in args.ways.split(","):
            rows[way] = []
            for n in range(args.rounds):  # who goes first alternates
                plain, watched, share = pair(way, kind, args, plain_first=n % 2 == 0)
                plain_steps.append(statistics.median(plain[STEADY_FROM:-1]))
                extra = (sum(watched[STEADY_FROM:-1]) - sum(plain[STEADY_FROM:-1])) / len(plain[STEADY_FROM:-1])
                rows[way].append((ratio(watched, plain, True), ratio(watched, plain, False), share, extra))
        print(f"{kind}: plain {statistics.median(plain_steps) * 1e3:.2f} ms a step (median)")
        for way, got in rows.items():
            steady = sorted(r[0] for r in got)
            low, high = median_interval(steady)
            whole = statistics.median(r[1] for r in got)
            shares = [r[2] for r in got if r[2] is not None]
            count = f"; the run's own count: {statistics.median(shares):.2%} of its time in the watch" if shares else ""
            extra = statistics.median(r[3] for r in got)
            print(f"  {way}: {statistics.median(steady):.3f}x plain a step, steady (95% interval {low:.3f} to "
                  f"{high:.3f}; rounds {steady[0]:.3f} to {steady[-1]:.3f}), {extra * 1e6:+.0f} us a step; the whole "
                  f"run {whole:.3f}x{count}")


if __name__ == "__main__":
    main()
