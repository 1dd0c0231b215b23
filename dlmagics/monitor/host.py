"""The kernel process itself (RSS, CPU share) and its PyTorch allocator.

The PyTorch probe is read-only by design: it looks at torch only if the user imported it,
reads the allocator only if the user already initialised CUDA (so the monitor never
creates a CUDA context, ~300 MB of VRAM), and never resets the user's peak counters.
"""

from __future__ import annotations

import os
import sys
import time

MIN_SPAN_S = 0.2  # a CPU share over less wall time than this is noise (psutil gave 4126% of one core)


class HostReader:
    """RSS and CPU share of this process, and the machine's memory and cores (psutil)."""

    def __init__(self):
        import psutil  # imported when the monitor starts, not with dlmagics

        self._psutil = psutil
        self._process = psutil.Process(os.getpid())
        self._cpu_count = psutil.cpu_count() or None
        self._memory_total = int(psutil.virtual_memory().total)
        # (monotonic time, CPU seconds) the next share is measured from: at first, the process's
        # start, so a one-off %gpumon shows the kernel's average share so far.
        self._since = (time.monotonic() - max(0.0, time.time() - self._process.create_time()), 0.0)
        self._cpu: float | None = None

    def _cpu_clock(self) -> tuple[float, float]:
        times = self._process.cpu_times()
        return time.monotonic(), times.user + times.system

    def cpu_share(self) -> float | None:
        """Per cent of one core used since the last share (the first: since the process
        started), at most all the cores; over a span too short to mean anything, the last share
        again (None if there is none yet)."""
        now, used = self._cpu_clock()
        span = now - self._since[0]
        if span >= MIN_SPAN_S:
            share = 100.0 * (used - self._since[1]) / span
            self._cpu = min(max(share, 0.0), 100.0 * (self._cpu_count or 1))
            self._since = (now, used)
        return self._cpu

    def read(self) -> dict:
        try:
            rss = int(self._process.memory_info().rss)
            cpu = self.cpu_share()
        except self._psutil.Error:
            rss, cpu = None, None
        return {"rss": rss, "cpu_percent": cpu, "cpu_count": self._cpu_count, "memory_total": self._memory_total}


def torch_cuda():
    """torch.cuda if the user imported torch and initialised CUDA, else None. Never imports."""
    cuda = sys.modules.get("torch.cuda")
    try:
        if cuda is not None and cuda.is_initialized():
            return cuda
    except Exception:  # torch half-imported by the main thread at this very moment
        pass
    return None


def torch_status(cuda) -> dict:
    """What the sidebar says about PyTorch; ``cuda`` is ``torch_cuda()``, already asked."""
    torch = sys.modules.get("torch")
    version = getattr(torch, "__version__", None)
    if not isinstance(version, str):
        return {"status": "not_imported"}
    return {"status": "cuda_active" if cuda is not None else "cuda_idle", "version": str(version)}


def torch_memory(cuda, index: int) -> dict | None:
    """Allocated, reserved and peak bytes on one device; reads counters, resets nothing."""
    try:
        return {
            "allocated": int(cuda.memory_allocated(index)),
            "reserved": int(cuda.memory_reserved(index)),
            "peak": int(cuda.max_memory_allocated(index)),
        }
    except Exception:
        return None


def cuda_uuids(cuda) -> list[str] | None:
    """The UUIDs of the devices CUDA shows this process, in CUDA order."""
    try:
        return [str(cuda.get_device_properties(i).uuid) for i in range(cuda.device_count())]
    except Exception:
        return None
