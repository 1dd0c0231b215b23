"""What else used the machine while a cell was timed, and when to say so.

Three neighbours slow a run without showing in its code: other processes on the same cores
(the system's busy CPU time on the cores this process may use, less this process's own),
this kernel's own other threads (a training in the background: each Python thread's CPU
clock), and other processes on the same GPU (NVML's compute processes). A reading is taken
before the first block and after the last; ``Contention`` holds the difference and names a
neighbour only when it was large enough to change the times (a quiet run names nothing).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

# Other processes are named when they used at least this many cores on average AND left
# fewer cores free than the run's threads want: half a core taken from a run whose threads
# fill the cores slows it by tens of percent, while the other processes of a quiet machine
# (JupyterLab, the sidebar's monitor) used under 0.15 of a core in the quiet condition of
# benchmarks/gpubench_repeat.py.
BUSY_CORES = 0.5
# This kernel's other Python threads are named from a smaller share, whatever cores are free:
# they share the interpreter's lock with the timed code, and a thread that holds it keeps the
# timed thread waiting up to the switch interval (5 ms) at each handover, longer than a small
# op takes. The kernel's own helper threads (its I/O, heartbeat and history threads, the
# monitor's sampler) used under 0.005 of a core during a run, measured in a real kernel.
KERNEL_THREADS_CORES = 0.1


@dataclass(frozen=True)
class Reading:
    """CPU seconds so far (and the wall clock), as one snapshot."""

    wall: float
    busy: float  # every process's busy CPU time on the cores this process may use
    process: float  # this process's CPU time, all its threads
    threads: dict = field(default_factory=dict)  # this kernel's other Python threads: name -> CPU seconds
    gpus: dict = field(default_factory=dict)  # device label -> processes NVML lists on it (None: unknown)


def usable_cores() -> list[int]:
    """The CPUs this process may run on (all of them where affinity is unknown)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        return list(range(os.cpu_count() or 1))


def read(gpu_indices: dict[str, int] | None = None) -> Reading:
    """A reading of this machine: psutil's per-CPU times (busy = all but idle and iowait, the
    guest time already inside user), this process's, its other threads' CPU clocks, and for
    each CUDA device (label -> index) the processes NVML lists on it."""
    import psutil

    per_cpu = psutil.cpu_times(percpu=True)
    busy = 0.0
    for i in usable_cores():
        if i < len(per_cpu):
            t = per_cpu[i]._asdict()
            for waiting in ("idle", "iowait", "guest", "guest_nice"):
                t.pop(waiting, None)
            busy += sum(t.values())
    own = psutil.Process().cpu_times()
    return Reading(time.perf_counter(), busy, own.user + own.system, thread_times(),
                   {label: gpu_processes(index) for label, index in (gpu_indices or {}).items()})


def thread_times() -> dict:
    """CPU seconds of each Python thread of this process but the calling one, by name."""
    here, out = threading.get_ident(), {}
    for thread in threading.enumerate():
        if thread.ident is None or thread.ident == here:
            continue
        try:
            out[thread.name] = time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
        except (AttributeError, OSError):  # no per-thread clocks here, or the thread just ended
            pass
    return out


def gpu_processes(index: int) -> int | None:
    """How many processes NVML lists on CUDA device ``index`` (this one among them once it ran
    there), None where NVML or the device's UUID cannot say."""
    from ..hardware.devices import cuda_api

    try:
        import pynvml

        uuid = str(cuda_api().get_device_properties(index).uuid)
        pynvml.nvmlInit()
    except Exception:
        return None
    try:
        handle = pynvml.nvmlDeviceGetHandleByUUID(uuid if uuid.startswith("GPU-") else "GPU-" + uuid)
        return len(pynvml.nvmlDeviceGetComputeRunningProcesses(handle))
    except Exception:
        return None
    finally:
        pynvml.nvmlShutdown()


@dataclass(frozen=True)
class Contention:
    """What else ran during the timed runs, in cores (CPU seconds per wall second)."""

    wall_s: float
    cores: int  # the CPUs this process may use
    process_cores: float  # this process, the timed code and its other threads together
    others_cores: float  # every other process
    threads: dict  # this kernel's other threads: name -> cores
    gpu_others: dict  # device label -> other processes on it
    wanted: int = 1  # the threads the timed code runs on (the most of its CPU devices; 1 for a GPU)

    @property
    def crowded_out(self) -> bool:
        """Other processes used a large share and left fewer cores free than the run wants."""
        return self.others_cores >= BUSY_CORES and self.cores - self.others_cores < self.wanted

    @property
    def busy_threads(self) -> dict:
        """This kernel's other threads, when together they used a large share: name -> cores."""
        if sum(self.threads.values()) < KERNEL_THREADS_CORES:
            return {}
        return {name: c for name, c in self.threads.items() if c >= KERNEL_THREADS_CORES / 4}  # the busy ones by name

    def found(self) -> list[tuple[str, str]]:
        """Each neighbour that changed the times: a short mark (the sidebar's Runs row) and the
        report's line, both with its figure."""
        out = []
        of = f"{'' if self.cores == 1 else 'of the '}{self.cores} core{'s' if self.cores != 1 else ''}"
        if self.crowded_out:
            mark = f"other processes used {self.others_cores:.1f} {of}"
            out.append((mark, f"{mark.capitalize()} during the run: these times are not this cell's alone; run it "
                              "again when they are done."))
        threads = self.busy_threads
        if threads:
            names = ", ".join(f"'{name}'" for name in sorted(threads, key=threads.get, reverse=True))
            mark = f"this kernel's other threads used {sum(self.threads.values()):.1f} {of}"
            out.append((mark, f"{mark.capitalize()} during the run ({names}): these times are not this cell's alone. "
                              "%%gpubench does not wait for a thread it did not start: run the cell again once it "
                              "has finished."))
        for label, count in sorted(self.gpu_others.items()):
            if count:
                # NVML lists every process holding a context there, an idle one too: said as a may
                mark = f"{count} other process{'es' if count > 1 else ''} on {label}"
                out.append((mark, f"{mark.capitalize()} during the run (NVML lists them; one that only holds memory "
                                  f"costs nothing): if they computed, {label}'s times are not this cell's alone; run it "
                                  "again when they are done."))
        return out

    @property
    def lines(self) -> list[str]:
        """The report's lines, one per neighbour named."""
        return [line for _, line in self.found()]

    @property
    def named(self) -> bool:
        return bool(self.found())

    def to_dict(self) -> dict:
        found = self.found()
        return {"wall_s": self.wall_s, "cores": self.cores, "process_cores": round(self.process_cores, 3),
                "others_cores": round(self.others_cores, 3),
                "threads": {k: round(v, 3) for k, v in self.threads.items()}, "gpu_others": dict(self.gpu_others),
                "mark": "; ".join(mark for mark, _ in found) or None, "words": " ".join(line for _, line in found) or None}


def between(before: Reading, after: Reading, cores: int, wanted: int = 1) -> Contention | None:
    """The neighbours between two readings; None when no wall time passed."""
    wall = after.wall - before.wall
    if wall <= 0:
        return None
    process = max(0.0, after.process - before.process)
    others = max(0.0, (after.busy - before.busy) - process)  # below 0 only by the clocks' granularity
    threads = {name: max(0.0, seconds - before.threads[name]) / wall
               for name, seconds in after.threads.items() if name in before.threads}
    gpu = {}
    for label, count in after.gpus.items():
        seen = [c for c in (before.gpus.get(label), count) if c is not None]
        if seen:
            gpu[label] = max(0, max(seen) - 1)  # this kernel is one of them once it ran there
    return Contention(wall, cores, process / wall, others / wall, threads, gpu, wanted)


class Watch:
    """Readings around the timed runs: ``start()`` before the first block, ``stop()`` after the
    last gives the Contention. ``reader``: a fake in tests."""

    def __init__(self, gpu_indices: dict[str, int] | None = None, reader: Callable | None = None,
                 cores: int | None = None, wanted: int = 1):
        self.reader = reader or read
        self.gpu_indices = gpu_indices or {}
        self.cores = cores or len(usable_cores())
        self.wanted = wanted
        self.before: Reading | None = None

    def start(self) -> None:
        try:
            self.before = self.reader(self.gpu_indices)
        except Exception:  # a reading that fails leaves the run unwatched, never unrun
            self.before = None

    def stop(self) -> Contention | None:
        if self.before is None:
            return None
        try:
            return between(self.before, self.reader(self.gpu_indices), self.cores, self.wanted)
        except Exception:
            return None
