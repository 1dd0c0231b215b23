"""Check the GPU monitor against a real NVIDIA GPU: what the fakes of the tests can only
imitate. Run it on a machine with a GPU (CI has none); it prints the figures for the notes.

    python benchmarks/gpu_check.py [--seconds 20]

It checks, in this order:
1. the sampler reads every visible GPU through NVML, with the per-sample cost and the
   sampler thread's CPU share at 1 Hz;
2. sampling with torch imported but CUDA unused creates no CUDA context (this process
   does not appear among NVML's compute processes, and CUDA stays uninitialised);
3. after this process allocates on the GPU, the monitor's PyTorch figures equal
   torch.cuda's own, and the user's peak counter is not reset by sampling;
4. a CUDA out-of-memory error in the user's code leaves the monitor running.
Exit status 0 when every check held, 1 when one failed, 2 when there is no GPU here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dlmagics.monitor import Sampler, SampleReader  # noqa: E402

GIB = 1024**3
failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  [{'ok' if ok else 'FAILED'}] {what}")
    if not ok:
        failures.append(what)


def our_compute_processes() -> list[int]:
    """NVML's compute processes that are this process (PIDs as the driver sees them)."""
    import pynvml

    mine = []
    for i in range(pynvml.nvmlDeviceGetCount()):
        handle = pynvml.nvmlDeviceGetHandleByIndex(i)
        mine += [p.pid for p in pynvml.nvmlDeviceGetComputeRunningProcesses(handle) if p.pid == os.getpid()]
    return mine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    reader = SampleReader()
    first = reader.read()
    if first["state"] != "ok":
        print(f"No GPU to check here: {first['state']}: {first['message']}")
        return 2

    print("1. Reading the GPUs")
    for g in first["gpus"]:
        print(f"  GPU {g['index']}: {g['name']} {g['uuid']}: {g['memory_used'] / GIB:.2f} / "
              f"{g['memory_total'] / GIB:.2f} GiB, util {g['utilization']}%, {g['temperature']} C, "
              f"{g['power']} W of {g['power_limit']} W")
    check(all(g["memory_total"] for g in first["gpus"]), "every GPU reports its memory")

    samples: list[dict] = []
    sampler = Sampler(reader, samples.append, interval=1.0)
    wall0 = time.perf_counter()
    sampler.start()
    import torch  # imported, CUDA not used: the monitor must leave it so

    time.sleep(args.seconds)
    wall = time.perf_counter() - wall0
    costs = sorted(s["cost_ms"] for s in samples)
    print(f"  {len(samples)} samples in {wall:.1f} s: {statistics.median(costs) * 1000:.0f} us median, "
          f"{costs[int(0.95 * (len(costs) - 1))] * 1000:.0f} us p95 per sample; sampler thread "
          f"{100 * sampler.thread_cpu_seconds / wall:.3f}% of one core")
    check(sampler.thread_cpu_seconds / wall <= 0.005, "the sampler uses at most 0.5% of one core at 1 Hz")

    print("2. Torch imported, CUDA unused")
    check(samples[-1]["torch"]["status"] == "cuda_idle", "the monitor reports torch as imported, CUDA idle")
    check(not torch.cuda.is_initialized(), "CUDA is still uninitialised after sampling")
    contexts_before = our_compute_processes()

    print("3. This kernel's allocations")
    x = torch.empty(int(2 * GIB), dtype=torch.uint8, device="cuda")
    del x
    y = torch.empty(int(1 * GIB), dtype=torch.uint8, device="cuda")
    peak_before = torch.cuda.max_memory_allocated(0)
    n = len(samples)
    while len(samples) < n + 3:
        time.sleep(0.2)
    mine = samples[-1]["gpus"][0]["torch"]
    print(f"  monitor: {mine}")
    print(f"  torch:   allocated {torch.cuda.memory_allocated(0)}, reserved {torch.cuda.memory_reserved(0)}, "
          f"peak {torch.cuda.max_memory_allocated(0)}")
    check(mine is not None and mine["allocated"] == torch.cuda.memory_allocated(0), "allocated matches torch.cuda")
    check(mine is not None and mine["reserved"] == torch.cuda.memory_reserved(0), "reserved matches torch.cuda")
    check(torch.cuda.max_memory_allocated(0) == peak_before >= 2 * GIB, "the user's peak (2 GiB) was not reset")
    if our_compute_processes():  # NVML sees this PID now that the user made a context...
        check(contexts_before == [], "...and did not before: the monitor made no CUDA context")
    else:
        print("  NVML does not list this PID (a container's PID namespace): the context check "
              "rests on torch.cuda.is_initialized() alone")

    print("4. CUDA out of memory in the user's code")
    try:
        torch.empty(int(10 * 1024 * GIB), dtype=torch.uint8, device="cuda")
        check(False, "a 10 TiB allocation raised OutOfMemoryError")
    except torch.cuda.OutOfMemoryError as error:
        print(f"  raised: {str(error).splitlines()[0][:100]}")
    n = len(samples)
    time.sleep(2.5)
    check(sampler.running and len(samples) >= n + 2, "the monitor kept sampling after the OOM")
    sampler.stop()
    del y
    print(f"\n{len(failures)} check(s) failed" if failures else "\nevery check held")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
