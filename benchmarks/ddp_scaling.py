"""Data parallelism on this machine: the same DDP training loop as 1 process and as 2 ranks
(%%ddp's launcher: torchrun, gloo on the CPU, 1 thread each), in turn, for a small net whose
gradients are cheap to compute and a wider one whose gradients cost more, with the global
batch split between the ranks. Per rank: time per step, compute against communication (the
time in the gradient all_reduce, waiting included) and the bytes handed to it; and the speedup
of 2 ranks over 1 with its 95% interval (paired rounds: bench.stats.paired_speedup).

    python benchmarks/ddp_scaling.py [--rounds 3] [--steps 30] [--threads 1] [--backend gloo|nccl]

--backend nccl puts each rank on its own GPU (cuda:LOCAL_RANK); with one GPU only the
1-process run is possible, and it is what runs (NCCL refuses two ranks on one device).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dlmagics.bench.stats import paired_speedup  # noqa: E402
from dlmagics.bench.words import format_bytes, format_time  # noqa: E402
from dlmagics.ddp.launcher import Settings, launch  # noqa: E402

# name -> (hidden width, global batch); both read 784 inputs and give 10 classes
NETS = {"small": (32, 256), "wide": (1024, 256)}

CELL = '''
from torch.nn.parallel import DistributedDataParallel as DDP
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(784, {width}), torch.nn.ReLU(), torch.nn.Linear({width}, {width}),
                          torch.nn.ReLU(), torch.nn.Linear({width}, 10)).to(device)
model = DDP(net, device_ids=[device] if device.type == "cuda" else None)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
share = {batch} // world_size
x, y = torch.randn(share, 784, device=device), torch.randint(0, 10, (share,), device=device)
for _ in range({steps}):
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    step()
'''


def one_run(code: str, settings: Settings):
    lines = []
    outcome = launch(code, settings, lambda line: lines.append(f"[rank {line.rank}] {line.text}"))
    if outcome.status != "finished":
        print("\n".join(lines[-20:] + [t for t in outcome.launcher_lines if t.strip()][:40]))
        print(outcome.ranks)
        sys.exit(f"a {settings.nproc}-rank run {outcome.status}: {outcome.fault}")
    return outcome


def describe(outcome) -> str:
    parts = [f"{outcome.world_size} rank(s): {format_time(outcome.step_s)} a step"]
    for r in outcome.ranks:
        parts.append(f"  rank {r.rank}: compute {format_time(r.step_compute_s)}, communication "
                     f"{format_time(r.step_comm_s)} a step ({format_bytes(r.bytes // len(r.steps))} to all_reduce a step)")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--backend", choices=("gloo", "nccl"), default="gloo")
    args = parser.parse_args()
    ranks = 2
    if args.backend == "nccl":
        import torch

        ranks = min(2, torch.cuda.device_count())
        if ranks == 0:
            sys.exit("nccl: no CUDA GPU here (NCCL needs one per rank); use --backend gloo")
        print(f"nccl: {torch.cuda.device_count()} GPU(s): {ranks} rank(s) at most")
    for name, (width, batch) in NETS.items():
        code = CELL.format(width=width, batch=batch, steps=args.steps)
        one, many, last = [], [], {}
        for _ in range(args.rounds):
            for n in sorted({1, ranks}):
                outcome = one_run(code, Settings(n, args.backend, args.threads, timeout_s=120))
                (one if n == 1 else many).append(outcome.step_s)
                last[n] = outcome
        print(f"\n{name} net (784-{width}-{width}-10, global batch {batch}, {args.steps} steps, "
              f"{args.threads} thread(s) a rank, {args.backend}):")
        for n in sorted(last):
            print(describe(last[n]))
        if many:
            speedup = paired_speedup(one, many)
            words = (f"{speedup[0]:.2f}x [{speedup[1]:.2f}, {speedup[2]:.2f}]" if speedup
                     else f"{statistics.median(one) / statistics.median(many):.2f}x (fewer than 3 rounds: no interval)")
            print(f"speedup of {ranks} ranks over 1: {words}")


if __name__ == "__main__":
    main()
